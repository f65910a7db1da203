import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { Sql } from '@bank/database';
import { ListAccountsQuery, type ListAccountsReply } from '@bank/contracts';
import { ACCOUNT_COLUMNS, toAccountView, type AccountRow } from './account.row.js';

@QueryHandler(ListAccountsQuery)
export class ListAccountsHandler implements IQueryHandler<ListAccountsQuery, ListAccountsReply> {
  constructor(private readonly db: Sql) {}

  async execute({ customerId, afterAccountId, limit }: ListAccountsQuery): Promise<ListAccountsReply> {
    // Keyset paging in the index's order; a cursor that is not one of the customer's accounts ends the list.
    const rows = await this.db.rows<AccountRow>(
      `SELECT ${ACCOUNT_COLUMNS} FROM accounts.accounts
        WHERE customer_id = $1
          AND ($2::uuid IS NULL OR (created_at, id) > (SELECT created_at, id FROM accounts.accounts WHERE id = $2 AND customer_id = $1))
        ORDER BY created_at, id
        LIMIT $3`,
      [customerId, afterAccountId ?? null, limit ?? null],
    );
    return rows.map(toAccountView);
  }
}
