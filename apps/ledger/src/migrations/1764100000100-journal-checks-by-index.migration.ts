import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The deferred checks that run for every posting and entry. */
const CHECKS = ['ledger.assert_posting_balanced()', 'ledger.assert_posting_complete()'];

/**
 * The journal's checks look up a posting's few entries by key. PL/pgSQL keeps each query's plan for
 * the life of the connection, so a plan made while the journal was a few rows long (a sequential
 * scan is cheapest then) would read the whole journal on every insert, more with each posting,
 * until autovacuum analyzed it again. Without sequential scans the planner takes the index, the
 * right plan at any size.
 */
export class JournalChecksByIndex1764100000100 implements MigrationInterface {
  name = 'JournalChecksByIndex1764100000100';

  async up(db: QueryRunner): Promise<void> {
    for (const check of CHECKS) await db.query(`ALTER FUNCTION ${check} SET enable_seqscan = off`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const check of CHECKS) await db.query(`ALTER FUNCTION ${check} RESET enable_seqscan`);
  }
}
