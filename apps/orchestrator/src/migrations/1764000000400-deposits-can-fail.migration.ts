import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A deposit the business refuses (the ledger has no room for it below the balance cap) ends FAILED
 * with the refusal's code, instead of being retried forever. A failed deposit always says why.
 */
export class DepositsCanFail1764000000400 implements MigrationInterface {
  name = 'DepositsCanFail1764000000400';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE orchestrator.deposits ADD COLUMN failure_code text`);
    await db.query(`ALTER TABLE orchestrator.deposits DROP CONSTRAINT deposits_status_check`);
    await db.query(
      `ALTER TABLE orchestrator.deposits ADD CONSTRAINT deposits_status_check CHECK (status IN ('PENDING', 'COMPLETED', 'FAILED'))`,
    );
    await db.query(
      `ALTER TABLE orchestrator.deposits ADD CONSTRAINT deposits_failed_with_code CHECK ((status = 'FAILED') = (failure_code IS NOT NULL))`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE orchestrator.deposits DROP CONSTRAINT deposits_failed_with_code`);
    await db.query(`ALTER TABLE orchestrator.deposits DROP CONSTRAINT deposits_status_check`);
    await db.query(`ALTER TABLE orchestrator.deposits ADD CONSTRAINT deposits_status_check CHECK (status IN ('PENDING', 'COMPLETED'))`);
    await db.query(`ALTER TABLE orchestrator.deposits DROP COLUMN failure_code`);
  }
}
