import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signed checkpoints of the trail's head (seq + hash, Ed25519 by audit's own key, which never
 * enters the database). Append-only like the trail: the same trigger function refuses UPDATE,
 * DELETE and TRUNCATE, so with a runtime role that may only INSERT and SELECT (and does not own the
 * table, so cannot drop its triggers) audit cannot rewrite an anchor; a superuser who can is caught
 * by the signatures (see CheckpointService). One checkpoint per key and seq.
 */
export class CreateCheckpoints1764600000200 implements MigrationInterface {
  name = 'CreateCheckpoints1764600000200';

  async up(db: QueryRunner): Promise<void> {
    // The refusal names the table it guards (the trail's message stays what it was).
    await db.query(`CREATE OR REPLACE FUNCTION audit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '%.% is append-only (% refused)', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await db.query(`CREATE TABLE audit.checkpoints (
      id bigserial PRIMARY KEY,
      seq bigint NOT NULL CONSTRAINT checkpoints_seq_positive CHECK (seq > 0),
      hash text NOT NULL CONSTRAINT checkpoints_hash_hex CHECK (hash ~ '^[0-9a-f]{64}$'),
      signed_at timestamptz NOT NULL,
      signature text NOT NULL CONSTRAINT checkpoints_signature_b64url CHECK (signature ~ '^[A-Za-z0-9_-]{86}$'),
      key_id text NOT NULL CONSTRAINT checkpoints_key_id_b64url CHECK (key_id ~ '^[A-Za-z0-9_-]{43}$'),
      CONSTRAINT checkpoints_key_seq_unique UNIQUE (key_id, seq)
    )`);
    await db.query(`CREATE INDEX checkpoints_signed_at_idx ON audit.checkpoints (signed_at DESC, id DESC)`);
    await db.query(`CREATE TRIGGER checkpoints_no_update_delete BEFORE UPDATE OR DELETE ON audit.checkpoints
      FOR EACH ROW EXECUTE FUNCTION audit.refuse_change()`);
    await db.query(`CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON audit.checkpoints
      FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE audit.checkpoints`);
    await db.query(`CREATE OR REPLACE FUNCTION audit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit.records is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
  }
}
