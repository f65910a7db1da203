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

export function dropOutboxTableSql(schema: string): string[] {
  return [`DROP TABLE IF EXISTS "${schema}".outbox`];
}

/** Channel the relay LISTENs on, NOTIFYed by the writing transaction at commit. */
export const outboxChannel = (schema: string) => `${schema}_outbox`;
