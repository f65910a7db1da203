import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Sql } from '@bank/database';
import { CommitFundsCommand, DomainError, MAX_BALANCE, type CommitFundsReply } from '@bank/contracts';
import type { HoldRow } from './hold.row.js';

/**
 * The last saga step: capture the hold. One statement moves the money: the hold becomes CAPTURED,
 * the source's balance and the destination's balance and available change together. Both account
 * rows are updated by one UPDATE, which locks them in id order: opposite transfers cannot deadlock.
 * The reserve checked the destination's room below the balance cap, but credits that landed since
 * may have used it: then the hold stays RESERVED and the saga compensates (BALANCE_LIMIT_EXCEEDED).
 * A credit committing between the check and the update meets the CHECK constraint, and the retry
 * then meets the check.
 */
@CommandHandler(CommitFundsCommand)
export class CommitFundsHandler implements ICommandHandler<CommitFundsCommand, CommitFundsReply> {
  constructor(private readonly db: Sql) {}

  async execute({ transferId }: CommitFundsCommand): Promise<CommitFundsReply> {
    const rows = await this.db.rows<{ id: string }>(
      `WITH hold AS (
         UPDATE accounts.holds h SET status = 'CAPTURED', updated_at = now()
          WHERE h.transfer_id = $1 AND h.status = 'RESERVED'
            AND EXISTS (SELECT 1 FROM accounts.accounts d WHERE d.id = h.to_account_id AND d.balance <= $2::bigint - h.amount)
         RETURNING h.account_id, h.to_account_id, h.amount
       )
       UPDATE accounts.accounts a
          SET balance = a.balance + CASE WHEN a.id = hold.account_id THEN -hold.amount ELSE hold.amount END,
              available_balance = a.available_balance + CASE WHEN a.id = hold.account_id THEN 0 ELSE hold.amount END
         FROM hold
        WHERE a.id IN (hold.account_id, hold.to_account_id)
       RETURNING a.id`,
      [transferId, MAX_BALANCE],
    );
    if (rows.length === 2) return { transferId, status: 'CAPTURED' };
    const [hold] = await this.db.rows<HoldRow>(`SELECT status FROM accounts.holds WHERE transfer_id = $1`, [transferId]);
    if (hold?.status === 'CAPTURED') return { transferId, status: 'CAPTURED' };
    if (hold?.status === 'RESERVED')
      throw new DomainError('BALANCE_LIMIT_EXCEEDED', `Destination of transfer ${transferId} has no room below the balance cap`);
    throw new DomainError('INVALID_STATE', `Transfer ${transferId} has no reserved hold (${hold?.status ?? 'none'})`);
  }
}
