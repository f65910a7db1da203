import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createInboxTableSql, dropInboxTableSql } from '@bank/messaging';

/**
 * Running aggregates, one row per (metric, currency) ('' for plain counts). A batch of events adds
 * its summed deltas with one upsert, so a row is written once per batch, not once per event.
 */
export class CreateAnalytics1764600000000 implements MigrationInterface {
  name = 'CreateAnalytics1764600000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE analytics.counters (
      metric text NOT NULL CONSTRAINT counters_metric_known
        CHECK (metric IN ('transfers_completed', 'transfers_failed', 'transfer_volume', 'deposits', 'deposit_volume', 'customers', 'accounts')),
      currency text NOT NULL DEFAULT '' CONSTRAINT counters_currency CHECK (currency = '' OR currency ~ '^[A-Z]{3}$'),
      value bigint NOT NULL DEFAULT 0,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (metric, currency),
      CONSTRAINT counters_not_negative CHECK (value >= 0),
      -- JSON numbers stay exact: no aggregate beyond Number.MAX_SAFE_INTEGER.
      CONSTRAINT counters_within_safe_integer CHECK (value <= 9007199254740991)
    )`);
    for (const sql of createInboxTableSql('analytics')) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const sql of dropInboxTableSql('analytics')) await db.query(sql);
    await db.query(`DROP TABLE analytics.counters`);
  }
}
