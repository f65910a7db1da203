import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createInboxTableSql, dropInboxTableSql } from '@bank/messaging';

/**
 * The audit trail: append-only, hash-chained. The database refuses every UPDATE, DELETE and
 * TRUNCATE, and every insert must link to the current head (prev_hash = hash of the last record),
 * so even a writer that forgot the append lock cannot fork the chain: prev_hash is unique.
 */
export class CreateAudit1764600000000 implements MigrationInterface {
  name = 'CreateAudit1764600000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE audit.records (
      seq bigserial PRIMARY KEY,
      event_id uuid NOT NULL CONSTRAINT records_event_unique UNIQUE,
      type text NOT NULL,
      correlation_id text NOT NULL,
      causation_id text,
      occurred_at timestamptz NOT NULL,
      recorded_at timestamptz NOT NULL,
      data jsonb NOT NULL,
      hash text NOT NULL CONSTRAINT records_hash_unique UNIQUE CONSTRAINT records_hash_hex CHECK (hash ~ '^[0-9a-f]{64}$'),
      prev_hash text NOT NULL CONSTRAINT records_prev_hash_unique UNIQUE CONSTRAINT records_prev_hash_hex CHECK (prev_hash ~ '^[0-9a-f]{64}$')
    )`);
    await db.query(`CREATE INDEX records_transfer_idx ON audit.records ((data->>'transferId'), seq)`);
    await db.query(`CREATE INDEX records_type_idx ON audit.records (type, seq)`);
    await db.query(`CREATE FUNCTION audit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit.records is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await db.query(`CREATE TRIGGER records_no_update_delete BEFORE UPDATE OR DELETE ON audit.records
      FOR EACH ROW EXECUTE FUNCTION audit.refuse_change()`);
    await db.query(`CREATE TRIGGER records_no_truncate BEFORE TRUNCATE ON audit.records
      FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change()`);
    // Row triggers see the rows an INSERT ... SELECT has already inserted, so a batch links too.
    await db.query(`CREATE FUNCTION audit.check_link() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE head text;
      BEGIN
        SELECT hash INTO head FROM audit.records ORDER BY seq DESC LIMIT 1;
        IF NEW.prev_hash IS DISTINCT FROM coalesce(head, repeat('0', 64)) THEN
          RAISE EXCEPTION 'audit chain broken: prev_hash % is not the head %', NEW.prev_hash, coalesce(head, 'genesis')
            USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await db.query(`CREATE TRIGGER records_link BEFORE INSERT ON audit.records FOR EACH ROW EXECUTE FUNCTION audit.check_link()`);
    for (const sql of createInboxTableSql('audit')) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const sql of dropInboxTableSql('audit')) await db.query(sql);
    await db.query(`DROP TABLE audit.records`);
    await db.query(`DROP FUNCTION audit.check_link()`);
    await db.query(`DROP FUNCTION audit.refuse_change()`);
  }
}
