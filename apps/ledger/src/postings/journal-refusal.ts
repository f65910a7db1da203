import { DomainError } from '@bank/contracts';
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
 * A booking statement skips the balance of an account kept in another currency (its upsert has a
 * currency guard), so that leg's entry is missing and the journal trigger refuses the commit. Read-only:
 * turns that refusal into CURRENCY_MISMATCH; anything else is rethrown as it came.
 */
export async function explainIncompletePosting(db: SqlRunner, error: unknown, accountIds: string[], currency: string): Promise<never> {
  if (isIncompletePosting(error)) await refuseOtherCurrency(db, accountIds, currency);
  throw error;
}

/**
 * The booking statements insert no posting when an account is kept in another currency (a condition
 * of the statement, so Postgres logs no error for a business refusal); the journal trigger above stays
 * the safety net for a balance row created after the statement's snapshot. Read-only: throws
 * CURRENCY_MISMATCH when one of the accounts is kept in another currency, returns otherwise.
 */
export async function refuseOtherCurrency(db: SqlRunner, accountIds: string[], currency: string): Promise<void> {
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
}
