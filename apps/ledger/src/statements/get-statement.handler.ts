import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { Sql } from '@bank/database';
import { GetStatementQuery, type StatementEntry, type StatementReply } from '@bank/contracts';
import { decodeStatementCursor, encodeStatementCursor } from './statement-cursor.js';

export const STATEMENT_DEFAULT_LIMIT = 100;
export const STATEMENT_MAX_LIMIT = 1000;

interface StatementRow {
  currency: string | null;
  balance: string;
  id: string | null;
  seq: string | null;
  transfer_id: string | null;
  amount: string | null;
  balance_after: string | null;
  posted_at: Date | null;
}

/**
 * One statement, so the balance and the page come from the same snapshot: the newest entry's
 * balanceAfter equals the balance. The account's row always comes back (LEFT JOINs from a one-row
 * source), with NULL entry columns when the page is empty. One row more than the page says whether
 * another page follows. The seq bound is a plain range, so the (account_id, seq) index serves deep
 * pages too. Seq order is booking order per account: an entry's seq is drawn after its balance row
 * is locked, and a later booking of the account waits for that lock.
 */
const STATEMENT_SQL = `
  SELECT b.currency, coalesce(b.balance, 0) AS balance,
         e.id, e.seq, coalesce(p.transfer_id, p.deposit_id) AS transfer_id, e.amount, e.balance_after, e.posted_at
    FROM (SELECT $1::uuid AS account_id) a
    LEFT JOIN ledger.balances b ON b.account_id = a.account_id
    LEFT JOIN LATERAL (
      SELECT * FROM ledger.entries
       WHERE account_id = a.account_id AND seq < coalesce($2::bigint, 9223372036854775807)
       ORDER BY seq DESC LIMIT $3
    ) e ON true
    LEFT JOIN ledger.postings p ON p.id = e.posting_id
   ORDER BY e.seq DESC`;

/** An account's entries from the ledger, newest first, paged by an opaque cursor. */
@QueryHandler(GetStatementQuery)
export class GetStatementHandler implements IQueryHandler<GetStatementQuery, StatementReply> {
  constructor(private readonly db: Sql) {}

  async execute({ accountId, limit, cursor }: GetStatementQuery): Promise<StatementReply> {
    const pageSize = Math.min(Math.max(limit ?? STATEMENT_DEFAULT_LIMIT, 1), STATEMENT_MAX_LIMIT);
    const below = cursor === undefined || cursor === null ? null : decodeStatementCursor(cursor);
    const rows = await this.db.rows<StatementRow>(STATEMENT_SQL, [accountId, below, pageSize + 1]);
    const head = rows[0];
    const found = rows.filter((r): r is StatementRow & { id: string; seq: string } => r.id !== null);
    const page = found.slice(0, pageSize);
    const entries: StatementEntry[] = page.map((r) => ({
      id: r.id,
      transferId: r.transfer_id!,
      amount: Number(r.amount),
      balanceAfter: Number(r.balance_after),
      postedAt: r.posted_at!.toISOString(),
    }));
    return {
      accountId,
      // An account without entries has no ledger row, hence no currency here; the orchestrator
      // answers with the account's own currency anyway.
      currency: head.currency ?? '',
      balance: Number(head.balance),
      entries,
      nextCursor: found.length > pageSize ? encodeStatementCursor(page[page.length - 1].seq) : null,
    };
  }
}
