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
