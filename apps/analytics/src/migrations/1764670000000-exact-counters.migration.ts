import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Exact aggregates: a volume only grows, and a bigint capped at 2^53-1 (so that JSON numbers stayed
 * exact) made every later event of that currency fail for good once one customer had moved enough
 * money back and forth. `numeric` has no such ceiling; the summary serves a value past 2^53 as a
 * decimal string instead (see GetAnalyticsSummaryHandler).
 */
export class ExactCounters1764670000000 implements MigrationInterface {
  name = 'ExactCounters1764670000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE analytics.counters DROP CONSTRAINT counters_within_safe_integer`);
    await db.query(`ALTER TABLE analytics.counters ALTER COLUMN value TYPE numeric`);
    await db.query(`ALTER TABLE analytics.counters ADD CONSTRAINT counters_whole CHECK (value = trunc(value))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE analytics.counters DROP CONSTRAINT counters_whole`);
    await db.query(`ALTER TABLE analytics.counters ALTER COLUMN value TYPE bigint`);
    await db.query(`ALTER TABLE analytics.counters ADD CONSTRAINT counters_within_safe_integer CHECK (value <= 9007199254740991)`);
  }
}
