/**
 * DDL of a subscriber's inbox: one row per event it has applied, inserted in the same transaction
 * as the effect, so a redelivered event finds its row and changes nothing. Subscribing services
 * call these from one of their migrations, in their own schema.
 */
export function createInboxTableSql(schema: string): string[] {
  return [
    `CREATE TABLE "${schema}".inbox (
      subscriber text NOT NULL,
      event_id uuid NOT NULL,
      event_type text NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (subscriber, event_id)
    )`,
    `CREATE INDEX inbox_received_idx ON "${schema}".inbox (received_at)`,
  ];
}

export function dropInboxTableSql(schema: string): string[] {
  return [`DROP TABLE IF EXISTS "${schema}".inbox`];
}

/**
 * After how many attempts the subscriber applied the event (1: its first delivery; each trip
 * through a retry queue or back from the broker adds one), so a transfer's page can show which
 * subscriber had to retry. A constant default: existing rows become 1 without a table rewrite.
 */
export function addInboxAttemptsSql(schema: string): string[] {
  return [
    `ALTER TABLE "${schema}".inbox ADD COLUMN attempts integer NOT NULL DEFAULT 1 CONSTRAINT inbox_attempts_positive CHECK (attempts >= 1)`,
  ];
}

export function dropInboxAttemptsSql(schema: string): string[] {
  return [`ALTER TABLE "${schema}".inbox DROP COLUMN attempts`];
}

/**
 * Records the events as seen and returns the ids that were new. Run inside the batch's
 * transaction; a concurrent replica inserting the same id waits for this one, then skips it.
 */
export function inboxClaimSql(schema: string): string {
  return `INSERT INTO "${schema}".inbox (subscriber, event_id, event_type, attempts)
          SELECT $1, e.id, e.type, e.attempts FROM unnest($2::uuid[], $3::text[], $4::int[]) AS e(id, type, attempts)
          ON CONFLICT (subscriber, event_id) DO NOTHING
          RETURNING event_id`;
}

/** One subscriber's row for one event: when it applied it, after how many attempts (GET /inbox/:eventId). */
export function inboxEntrySql(schema: string): string {
  return `SELECT subscriber, event_id, event_type, received_at, attempts FROM "${schema}".inbox WHERE subscriber = $1 AND event_id = $2`;
}

/**
 * Where an event the subscriber has NOT applied sits: in a retry queue or parked in the DLQ, after
 * how many attempts, and why (an error code or a reason composed without the error's message, which
 * might carry data). Written in its own statement after the failed transaction rolled back, so only
 * failures write; the inbox row wins once the event is applied. Pruned by updated_at like the inbox.
 */
export function createInboxFailuresTableSql(schema: string): string[] {
  return [
    `CREATE TABLE "${schema}".inbox_failures (
      subscriber text NOT NULL,
      event_id uuid NOT NULL,
      event_type text NOT NULL,
      state text NOT NULL CONSTRAINT inbox_failures_state CHECK (state IN ('retrying', 'parked')),
      attempts integer NOT NULL CONSTRAINT inbox_failures_attempts_positive CHECK (attempts >= 1),
      error_code text NOT NULL,
      reason text,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (subscriber, event_id)
    )`,
    `CREATE INDEX inbox_failures_updated_idx ON "${schema}".inbox_failures (updated_at)`,
  ];
}

export function dropInboxFailuresTableSql(schema: string): string[] {
  return [`DROP TABLE IF EXISTS "${schema}".inbox_failures`];
}

/**
 * Records (or moves forward) where a failed event went. A write that arrives late (a replica
 * slower than the next attempt) does not take the state back to an earlier attempt, except from
 * 'parked': only a redrive brings a parked event back, and it starts the count again.
 */
export function inboxFailureRecordSql(schema: string): string {
  return `INSERT INTO "${schema}".inbox_failures AS f (subscriber, event_id, event_type, state, attempts, error_code, reason)
          VALUES ($1, $2, $3, $4, $5, $6, $7)
          ON CONFLICT (subscriber, event_id) DO UPDATE
            SET event_type = excluded.event_type, state = excluded.state, attempts = excluded.attempts,
                error_code = excluded.error_code, reason = excluded.reason, updated_at = now()
            WHERE f.attempts <= excluded.attempts OR f.state = 'parked'`;
}

/** One subscriber's failure row for one event (GET /inbox/:eventId, when it has no inbox row). */
export function inboxFailureEntrySql(schema: string): string {
  return `SELECT subscriber, event_id, event_type, state, attempts, error_code, reason, updated_at
            FROM "${schema}".inbox_failures WHERE subscriber = $1 AND event_id = $2`;
}

/**
 * For a subscriber whose runtime role may only add rows to its schema (audit): UPDATE and DELETE on
 * its inbox_failures table alone, the one table there that is bookkeeping, not record. Run by the
 * migration as the owner role `<prefix><app>_owner`, granting to `<prefix><app>`; a database
 * migrated by another role (no such pair) is left alone, and provisioning grants the same rights
 * (scripts/lib/provision.mjs, DATA_PLANE `tableRights`).
 */
export function grantInboxFailuresSql(schema: string): string[] {
  return [
    `DO $grant$
     DECLARE runtime text := left(current_user, -length('_owner'));
     BEGIN
       IF current_user LIKE '%\\_owner' AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = runtime) THEN
         EXECUTE format('GRANT UPDATE, DELETE ON %I.inbox_failures TO %I', '${schema}', runtime);
       END IF;
     END $grant$`,
  ];
}
