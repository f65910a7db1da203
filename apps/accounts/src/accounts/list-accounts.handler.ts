import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { Sql } from '@bank/database';
import { ListAccountsQuery, type ListAccountsReply } from '@bank/contracts';
import { ACCOUNT_COLUMNS, toAccountView, type AccountRow } from './account.row.js';

@QueryHandler(ListAccountsQuery)
export class ListAccountsHandler implements IQueryHandler<ListAccountsQuery, ListAccountsReply> {
  constructor(private readonly db: Sql) {}

  async execute({ customerId }: ListAccountsQuery): Promise<ListAccountsReply> {
    const rows = await this.db.rows<AccountRow>(
      `SELECT ${ACCOUNT_COLUMNS} FROM accounts.accounts WHERE customer_id = $1 ORDER BY created_at, id`,
      [customerId],
    );
    return rows.map(toAccountView);
  }
}
