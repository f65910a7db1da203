import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Sql } from '@bank/database';
import { DomainError, ReverseTransferCommand, type PostingReply } from '@bank/contracts';
import type { PostingKind } from './posting.row.js';

/**
 * One statement. With a booked TRANSFER it books the REVERSAL: each entry negated, running balances
 * moved (rows sorted by account id, as in a post). Without one it records a VOID, which the unique
 * index shares with TRANSFER, so a post that arrives later is refused. Either insert finds a replay
 * through its own unique index and then does nothing.
 */
const REVERSE_TRANSFER_SQL = `
  WITH original AS (
    SELECT id, currency FROM ledger.postings WHERE transfer_id = $1 AND kind = 'TRANSFER'
  ), void AS (
    INSERT INTO ledger.postings (kind, transfer_id)
    SELECT 'VOID', $1 WHERE NOT EXISTS (SELECT 1 FROM original)
    ON CONFLICT (transfer_id) WHERE kind IN ('TRANSFER', 'VOID') DO NOTHING
    RETURNING id, kind
  ), reversal AS (
    INSERT INTO ledger.postings (kind, transfer_id, currency)
    SELECT 'REVERSAL', $1, currency FROM original
    ON CONFLICT (transfer_id) WHERE kind = 'REVERSAL' DO NOTHING
    RETURNING id, kind, currency
  ), legs AS (
    SELECT e.account_id, -e.amount AS amount, e.balance_after IS NOT NULL AS has_balance
      FROM reversal CROSS JOIN original JOIN ledger.entries e ON e.posting_id = original.id
  ), moved AS (
    INSERT INTO ledger.balances AS b (account_id, currency, balance)
    SELECT legs.account_id, reversal.currency, legs.amount
      FROM reversal CROSS JOIN legs WHERE legs.has_balance ORDER BY legs.account_id
    ON CONFLICT (account_id) DO UPDATE SET balance = b.balance + EXCLUDED.balance
     WHERE b.currency = EXCLUDED.currency
    RETURNING account_id, balance
  ), booked AS (
    INSERT INTO ledger.entries (posting_id, account_id, amount, currency, balance_after)
    SELECT reversal.id, legs.account_id, legs.amount, reversal.currency, moved.balance
      FROM reversal CROSS JOIN legs LEFT JOIN moved ON moved.account_id = legs.account_id
    RETURNING 1
  )
  SELECT id, kind FROM void UNION ALL SELECT id, kind FROM reversal`;

/** A post racing this command can make one round insert nothing; the next round sees its commit. */
const MAX_ROUNDS = 3;

/** Compensation of a transfer's posting. Idempotent: a replay returns the REVERSAL or VOID that exists. */
@CommandHandler(ReverseTransferCommand)
export class ReverseTransferHandler implements ICommandHandler<ReverseTransferCommand, PostingReply> {
  constructor(private readonly db: Sql) {}

  async execute({ transferId }: ReverseTransferCommand): Promise<PostingReply> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const [created] = await this.db.rows<{ id: string; kind: PostingKind }>(REVERSE_TRANSFER_SQL, [transferId]);
      if (created) return { postingId: created.id, transferId, kind: created.kind };
      const postings = await this.db.rows<{ id: string; kind: PostingKind }>(
        `SELECT id, kind FROM ledger.postings WHERE transfer_id = $1 AND kind IN ('REVERSAL', 'VOID')`,
        [transferId],
      );
      // At most one: a VOID excludes the TRANSFER that a REVERSAL needs.
      const done = postings[0];
      if (done) return { postingId: done.id, transferId, kind: done.kind };
      // A TRANSFER committed after this statement's snapshot and blocked the VOID: reverse it now.
    }
    throw new DomainError('SERVICE_UNAVAILABLE', `Transfer ${transferId} is being posted concurrently; retry`);
  }
}
