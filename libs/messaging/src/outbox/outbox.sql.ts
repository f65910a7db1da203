/**
 * DDL of the transactional outbox, the same in every producing service's own schema. Producing
 * services call these from one of their migrations.
 */
export function createOutboxTableSql(schema: string): string[] {
  return [
    `CREATE TABLE "${schema}".outbox (
      id uuid PRIMARY KEY,
      seq bigserial NOT NULL,
      type text NOT NULL,
      payload jsonb NOT NULL,
      correlation_id text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz,
      attempts integer NOT NULL DEFAULT 0,
      last_error text
    )`,
    `CREATE INDEX outbox_unpublished_idx ON "${schema}".outbox (seq) WHERE published_at IS NULL`,
    `CREATE INDEX outbox_published_idx ON "${schema}".outbox (published_at) WHERE published_at IS NOT NULL`,
  ];
}

/**
 * A row the broker could not deliver waits `retry_at` before its next try (so a busy relay's wake-ups
 * do not burn its tries in a second) and, returned too often (no queue bound), is parked: kept for
 * an operator, no longer claimed. Producing services add this by a migration of their own.
 */
export function addOutboxParkingSql(schema: string): string[] {
  return [
    `ALTER TABLE "${schema}".outbox ADD COLUMN retry_at timestamptz, ADD COLUMN parked_at timestamptz`,
    `DROP INDEX "${schema}".outbox_unpublished_idx`,
    `CREATE INDEX outbox_unpublished_idx ON "${schema}".outbox (seq) WHERE published_at IS NULL AND parked_at IS NULL`,
    `CREATE INDEX outbox_parked_idx ON "${schema}".outbox (parked_at) WHERE parked_at IS NOT NULL`,
  ];
}

export function dropOutboxParkingSql(schema: string): string[] {
  return [
    `DROP INDEX "${schema}".outbox_parked_idx`,
    `DROP INDEX "${schema}".outbox_unpublished_idx`,
    `ALTER TABLE "${schema}".outbox DROP COLUMN retry_at, DROP COLUMN parked_at`,
    `CREATE INDEX outbox_unpublished_idx ON "${schema}".outbox (seq) WHERE published_at IS NULL`,
  ];
}

export function dropOutboxTableSql(schema: string): string[] {
  return [`DROP TABLE IF EXISTS "${schema}".outbox`];
}

/**
 * The producer's W3C trace context (`{traceparent, tracestate?}`) beside each event, NULL when
 * tracing was off: the relay publishes the row minutes later, from another context, and its publish
 * span (and through the message's headers every subscriber's) joins the producer's trace by it.
 */
export function addOutboxTraceContextSql(schema: string): string[] {
  return [`ALTER TABLE "${schema}".outbox ADD COLUMN trace_context jsonb`];
}

export function dropOutboxTraceContextSql(schema: string): string[] {
  return [`ALTER TABLE "${schema}".outbox DROP COLUMN trace_context`];
}

/** Channel the relay LISTENs on, NOTIFYed by the writing transaction at commit. */
export const outboxChannel = (schema: string) => `${schema}_outbox`;
