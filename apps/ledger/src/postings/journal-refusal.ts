import { DomainError, MAX_BALANCE } from '@bank/contracts';
import { pgConstraint, pgErrorCode, PgErrorCodes, type SqlRunner } from '@bank/database';
import { JournalConstraints } from './posting.row.js';

/** True when the commit was refused because a posting's entries did not come out whole. */
export function isIncompletePosting(error: unknown): boolean {
  const constraint = pgConstraint(error);
  return (
    pgErrorCode(error) === PgErrorCodes.CheckViolation &&
    (constraint === JournalConstraints.PostingBalanced || constraint === JournalConstraints.PostingComplete)
  );
}

/**
 * The condition a booking statement puts on moving a running balance (its upsert's ON CONFLICT ... WHERE): same
 * currency, and the result within the cap. `b` is the balance row, `EXCLUDED.balance` the leg's amount.
 */
export const BALANCE_GUARD = `b.currency = EXCLUDED.currency AND b.balance + EXCLUDED.balance BETWEEN -${MAX_BALANCE} AND ${MAX_BALANCE}`;

/** One account's side of a posting: its signed amount. */
export interface Leg {
  accountId: string;
  amount: number;
}

/**
 * A booking statement skips the balance of an account kept in another currency, or one the leg would
 * push past the cap (its upsert is guarded by `BALANCE_GUARD`), so that leg's entry is missing and the
 * journal trigger refuses the commit: nothing is booked. Read-only: turns that refusal into
 * CURRENCY_MISMATCH or BALANCE_LIMIT_EXCEEDED; anything else is rethrown as it came (and retried).
 */
export async function explainIncompletePosting(db: SqlRunner, error: unknown, legs: Leg[], currency: string): Promise<never> {
  if (isIncompletePosting(error)) {
    const accountIds = legs.map((leg) => leg.accountId);
    const others = await db.rows<{ account_id: string; currency: string }>(
      `SELECT account_id, currency FROM ledger.balances WHERE account_id = ANY($1::uuid[]) AND currency <> $2`,
      [accountIds, currency],
    );
    if (others.length > 0) {
      throw new DomainError(
        'CURRENCY_MISMATCH',
        `Posting currency ${currency} does not match the ledger's currency of ${others.map((o) => o.account_id).join(', ')}`,
        {
          accounts: others.map((o) => ({ accountId: o.account_id, currency: o.currency })),
        },
      );
    }
    const full = await db.rows<{ account_id: string }>(
      `SELECT b.account_id FROM ledger.balances b
         JOIN unnest($1::uuid[], $2::bigint[]) AS leg(account_id, amount) ON leg.account_id = b.account_id
        WHERE b.balance + leg.amount NOT BETWEEN -${MAX_BALANCE} AND ${MAX_BALANCE}`,
      [accountIds, legs.map((leg) => leg.amount)],
    );
    if (full.length > 0) {
      throw new DomainError(
        'BALANCE_LIMIT_EXCEEDED',
        `Posting would push the balance of ${full.map((f) => f.account_id).join(', ')} past the cap`,
        {
          accountIds: full.map((f) => f.account_id),
        },
      );
    }
  }
  throw error;
}
