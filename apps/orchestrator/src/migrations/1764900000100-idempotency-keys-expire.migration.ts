import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An Idempotency-Key is kept IDEMPOTENCY_RETENTION_HOURS (at least the contract's 24 h), then
 * cleared: the transfer or deposit stays as the business record, the key is free for a new request.
 * The partial indexes find the keys to clear without a scan and are left alone by the saga's
 * updates (they change neither column), so those stay HOT.
 */
export class IdempotencyKeysExpire1764900000100 implements MigrationInterface {
  name = 'IdempotencyKeysExpire1764900000100';

  async up(db: QueryRunner): Promise<void> {
    for (const table of ['transfers', 'deposits']) {
      await db.query(`ALTER TABLE orchestrator.${table} ALTER COLUMN idempotency_key DROP NOT NULL`);
      await db.query(`CREATE INDEX ${table}_key_age_idx ON orchestrator.${table} (created_at) WHERE idempotency_key IS NOT NULL`);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ['transfers', 'deposits']) {
      await db.query(`DROP INDEX orchestrator.${table}_key_age_idx`);
      // The records stay; their cleared keys get a value no client sends.
      await db.query(`UPDATE orchestrator.${table} SET idempotency_key = 'expired:' || id WHERE idempotency_key IS NULL`);
      await db.query(`ALTER TABLE orchestrator.${table} ALTER COLUMN idempotency_key SET NOT NULL`);
    }
  }
}
