import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { devFaults } from '@bank/common';
import { Sql } from '@bank/database';
import { DomainError, PostTransferCommand, type PostingReply } from '@bank/contracts';
import { BALANCE_GUARD, explainIncompletePosting } from './journal-refusal.js';
import type { PostingWithEntriesRow } from './posting.row.js';

/**
 * One statement, one round trip, one commit: the posting, both running balances and both entries.
 * The posting insert is the idempotency gate (a replay, or a VOID left by an earlier compensation,
 * makes it insert nothing, and then nothing else happens). The balances upsert runs over the legs
 * sorted by account id, so two opposite transfers lock the same rows in the same order and cannot
 * deadlock; each entry's balance_after is the balance its own upsert returned.
 */
const POST_TRANSFER_SQL = `
  WITH posting AS (
    INSERT INTO ledger.postings (kind, transfer_id, currency)
    VALUES ('TRANSFER', $1, $5)
    ON CONFLICT (transfer_id) WHERE kind IN ('TRANSFER', 'VOID') DO NOTHING
    RETURNING id
  ), legs (account_id, amount) AS (
    VALUES ($2::uuid, -$4::bigint), ($3::uuid, $4::bigint)
  ), moved AS (
    INSERT INTO ledger.balances AS b (account_id, currency, balance)
    SELECT legs.account_id, $5, legs.amount FROM posting CROSS JOIN legs ORDER BY legs.account_id
    ON CONFLICT (account_id) DO UPDATE SET balance = b.balance + EXCLUDED.balance
     WHERE ${BALANCE_GUARD}
    RETURNING account_id, balance
  ), booked AS (
    INSERT INTO ledger.entries (posting_id, account_id, amount, currency, balance_after)
    SELECT posting.id, legs.account_id, legs.amount, $5, moved.balance
      FROM posting CROSS JOIN legs JOIN moved ON moved.account_id = legs.account_id
    RETURNING 1
  )
  SELECT id FROM posting`;

/** Books a transfer: debit the source, credit the destination. Idempotent by transferId. */
@CommandHandler(PostTransferCommand)
export class PostTransferHandler implements ICommandHandler<PostTransferCommand, PostingReply> {
  constructor(private readonly db: Sql) {}

  async execute(command: PostTransferCommand): Promise<PostingReply> {
    const { transferId, fromAccountId, toAccountId, amount, currency } = command;
    if (fromAccountId.toLowerCase() === toAccountId.toLowerCase())
      throw new DomainError('VALIDATION_FAILED', 'Source and destination must differ');
    // "Break it" (development only: nothing else sets it): a refusal before anything is booked, so the saga compensates.
    if (devFaults.takeRefusal())
      throw new DomainError('INJECTED_REFUSAL', 'The ledger refuses this posting on purpose (development fault)');
    let rows: { id: string }[];
    try {
      rows = await this.db.rows<{ id: string }>(POST_TRANSFER_SQL, [transferId, fromAccountId, toAccountId, amount, currency]);
    } catch (error) {
      return explainIncompletePosting(
        this.db,
        error,
        [
          { accountId: fromAccountId, amount: -amount },
          { accountId: toAccountId, amount },
        ],
        currency,
      );
    }
    if (rows[0]) return { postingId: rows[0].id, transferId, kind: 'TRANSFER' };
    return this.replay(command);
  }

  /**
   * Nothing was inserted, so a TRANSFER or a VOID for this transfer is committed (DO NOTHING waits
   * for a concurrent insert to commit). Read-only: the same terms get the posting back.
   */
  private async replay({ transferId, fromAccountId, toAccountId, amount, currency }: PostTransferCommand): Promise<PostingReply> {
    const [existing] = await this.db.rows<PostingWithEntriesRow>(
      `SELECT p.id, p.kind, p.currency,
              coalesce(json_agg(json_build_object('account_id', e.account_id, 'amount', e.amount)) FILTER (WHERE e.id IS NOT NULL), '[]') AS entries
         FROM ledger.postings p LEFT JOIN ledger.entries e ON e.posting_id = p.id
        WHERE p.transfer_id = $1 AND p.kind IN ('TRANSFER', 'VOID')
        GROUP BY p.id`,
      [transferId],
    );
    if (!existing) throw new DomainError('SERVICE_UNAVAILABLE', `Posting of transfer ${transferId} is not visible yet; retry`);
    if (existing.kind === 'VOID') throw new DomainError('POSTING_VOIDED', `Transfer ${transferId} was voided by a compensation`);
    const debit = existing.entries.find((e) => e.account_id === fromAccountId);
    const credit = existing.entries.find((e) => e.account_id === toAccountId);
    const same = existing.currency === currency && existing.entries.length === 2 && debit?.amount === -amount && credit?.amount === amount;
    if (!same) throw new DomainError('INVALID_STATE', `Transfer ${transferId} was posted with other terms`);
    return { postingId: existing.id, transferId, kind: 'TRANSFER' };
  }
}
