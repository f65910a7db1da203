import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Sql } from '@bank/database';
import { DomainError, ReleaseFundsCommand, type ReleaseFundsReply } from '@bank/contracts';
import type { HoldRow } from './hold.row.js';

/**
 * Compensation of the reserve. A reserved hold goes back to the available balance; an unknown
 * transfer gets a RELEASED tombstone, so a reserve that arrives late (a slow network) finds it and
 * takes nothing. A captured hold cannot be released: the saga must not ask, and is told so.
 */
@CommandHandler(ReleaseFundsCommand)
export class ReleaseFundsHandler implements ICommandHandler<ReleaseFundsCommand, ReleaseFundsReply> {
  constructor(private readonly db: Sql) {}

  async execute({ transferId }: ReleaseFundsCommand): Promise<ReleaseFundsReply> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const [result] = await this.db.rows<{ released: number; tombstoned: number }>(
        `WITH hold AS (
           UPDATE accounts.holds SET status = 'RELEASED', updated_at = now()
            WHERE transfer_id = $1 AND status = 'RESERVED'
           RETURNING account_id, amount
         ), credit AS (
           UPDATE accounts.accounts a SET available_balance = a.available_balance + hold.amount
             FROM hold WHERE a.id = hold.account_id RETURNING a.id
         ), tombstone AS (
           INSERT INTO accounts.holds (transfer_id, status) VALUES ($1, 'RELEASED')
           ON CONFLICT (transfer_id) DO NOTHING RETURNING transfer_id
         )
         SELECT (SELECT count(*) FROM credit)::int AS released, (SELECT count(*) FROM tombstone)::int AS tombstoned`,
        [transferId],
      );
      if (result && (result.released > 0 || result.tombstoned > 0)) return { transferId, status: 'RELEASED' };
      const [hold] = await this.db.rows<HoldRow>(`SELECT status FROM accounts.holds WHERE transfer_id = $1`, [transferId]);
      if (hold?.status === 'RELEASED') return { transferId, status: 'RELEASED' };
      if (hold?.status === 'CAPTURED') throw new DomainError('INVALID_STATE', `Transfer ${transferId} is already captured`);
      // RESERVED: a reserve committed between our snapshot and now; go again.
    }
    throw new DomainError('SERVICE_UNAVAILABLE', `Transfer ${transferId} is being reserved concurrently; retry`);
  }
}
