/** The tables holding saga rows: each has the lease, version and retry columns this needs. */
export type SagaTable = 'orchestrator.transfers' | 'orchestrator.deposits';

/**
 * Claims sagas that are due and whose owner's lease ran out (a crash, or a retry is due), except the
 * ones this process is driving right now ($4). Claiming bumps the version, so a stale driver stops.
 * Parameters: owner, lease ms, limit, ids being driven.
 */
export function claimDueSql(table: SagaTable): string {
  return `UPDATE ${table} t SET lease_owner = $1, lease_until = now() + $2 * interval '1 millisecond', version = t.version + 1
    WHERE t.id IN (
      SELECT id FROM ${table}
       WHERE status = 'PENDING' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
         AND NOT (id = ANY($4::uuid[]))
       ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
   RETURNING t.*`;
}
