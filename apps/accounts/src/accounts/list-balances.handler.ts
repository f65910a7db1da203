import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { Sql } from '@bank/database';
import { ListBalancesQuery, type ListBalancesReply } from '@bank/contracts';

@QueryHandler(ListBalancesQuery)
export class ListBalancesHandler implements IQueryHandler<ListBalancesQuery, ListBalancesReply> {
  constructor(private readonly db: Sql) {}

  async execute({ afterAccountId, limit, accountIds }: ListBalancesQuery): Promise<ListBalancesReply> {
    const rows = await this.db.rows<{ id: string; currency: string; balance: string; available_balance: string }>(
      `SELECT id, currency, balance, available_balance FROM accounts.accounts
        WHERE ($1::uuid IS NULL OR id > $1) AND ($3::uuid[] IS NULL OR id = ANY($3))
        ORDER BY id LIMIT $2`,
      [afterAccountId ?? null, limit ?? 1000, accountIds ?? null],
    );
    return rows.map((r) => ({
      accountId: r.id,
      currency: r.currency,
      balance: Number(r.balance),
      availableBalance: Number(r.available_balance),
    }));
  }
}
