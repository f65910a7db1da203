import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { Sql } from '@bank/database';
import { DomainError, GetAccountQuery, type GetAccountReply } from '@bank/contracts';
import { ACCOUNT_COLUMNS, toAccountView, type AccountRow } from './account.row.js';

@QueryHandler(GetAccountQuery)
export class GetAccountHandler implements IQueryHandler<GetAccountQuery, GetAccountReply> {
  constructor(private readonly db: Sql) {}

  async execute({ accountId, customerId }: GetAccountQuery): Promise<GetAccountReply> {
    const rows = await this.db.rows<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts.accounts WHERE id = $1`, [accountId]);
    const row = rows[0];
    // Someone else's account looks exactly like a missing one: no existence leak.
    if (!row || (customerId !== undefined && row.customer_id !== customerId)) {
      throw new DomainError('ACCOUNT_NOT_FOUND', `Account ${accountId} not found`);
    }
    return toAccountView(row);
  }
}
