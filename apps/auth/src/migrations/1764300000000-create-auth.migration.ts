import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createOutboxTableSql, dropOutboxTableSql } from '@bank/messaging';

const E164 = `'^\\+[1-9][0-9]{7,14}$'`;

/**
 * Customers, OTP challenges, the per-phone request log of the rate limit and the signing keys. The OTP
 * rules live here as constraints, so no code path can break them: a code lives at most 5 minutes, is
 * used at most once and only before it expires, tries never exceed the maximum, and a phone never has
 * two live challenges at once.
 */
export class CreateAuth1764300000000 implements MigrationInterface {
  name = 'CreateAuth1764300000000';

  async up(db: QueryRunner): Promise<void> {
    // For `phone WITH =` in the exclusion constraint below. A trusted extension (PG 13+); kept in the
    // service's own schema so that nothing of auth's spills into public.
    await db.query(`CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA auth`);
    await db.query(`CREATE TABLE auth.customers (
      id uuid PRIMARY KEY,
      phone text NOT NULL CONSTRAINT customers_phone_key UNIQUE CONSTRAINT customer_phone_e164 CHECK (phone ~ ${E164}),
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await db.query(`CREATE TABLE auth.otp_challenges (
      id uuid PRIMARY KEY,
      phone text NOT NULL CONSTRAINT challenge_phone_e164 CHECK (phone ~ ${E164}),
      -- HMAC-SHA256(OTP_PEPPER, id:code): the code itself is never stored.
      code_hash bytea NOT NULL CONSTRAINT code_hash_is_sha256 CHECK (octet_length(code_hash) = 32),
      attempts integer NOT NULL DEFAULT 0,
      max_attempts integer NOT NULL CONSTRAINT max_attempts_positive CHECK (max_attempts > 0),
      sends integer NOT NULL DEFAULT 1 CONSTRAINT sends_positive CHECK (sends > 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      customer_id uuid REFERENCES auth.customers (id),
      CONSTRAINT attempts_within_max CHECK (attempts >= 0 AND attempts <= max_attempts),
      CONSTRAINT ttl_at_most_five_minutes CHECK (expires_at > created_at AND expires_at <= created_at + interval '300 seconds'),
      CONSTRAINT used_before_expiry CHECK (used_at IS NULL OR used_at < expires_at),
      CONSTRAINT used_only_unlocked CHECK (used_at IS NULL OR attempts < max_attempts),
      CONSTRAINT used_by_customer CHECK ((used_at IS NULL) = (customer_id IS NULL)),
      -- Live = not used, not locked, not expired: validity windows of open challenges never overlap.
      CONSTRAINT one_live_challenge_per_phone EXCLUDE USING gist (phone WITH =, tstzrange(created_at, expires_at) WITH &&)
        WHERE (used_at IS NULL AND attempts < max_attempts)
    )`);
    await db.query(`CREATE INDEX otp_challenges_phone_idx ON auth.otp_challenges (phone, created_at DESC)`);
    // One row per phone: its recent start requests (bounded by the rate limit) and the outcome of the
    // latest, read back through RETURNING. The row lock of the upsert serialises a phone's requests.
    await db.query(`CREATE TABLE auth.otp_rate_limits (
      phone text PRIMARY KEY,
      hits timestamptz[] NOT NULL,
      refused boolean NOT NULL DEFAULT false,
      CONSTRAINT hits_bounded CHECK (cardinality(hits) <= 100)
    )`);
    await db.query(`CREATE FUNCTION auth.recent_hits(hits timestamptz[], since timestamptz) RETURNS timestamptz[]
      LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT coalesce(array_agg(h ORDER BY h), '{}') FROM unnest(hits) AS h WHERE h > since $$`);
    // Only for keys auth generated itself (outside production); a configured AUTH_SIGNING_KEY stays in
    // the environment. One active key: two instances booting at once agree on the same one.
    await db.query(`CREATE TABLE auth.signing_keys (
      kid text PRIMARY KEY,
      alg text NOT NULL DEFAULT 'EdDSA' CONSTRAINT signing_key_alg CHECK (alg = 'EdDSA'),
      public_key_pem text NOT NULL,
      private_key_pem text NOT NULL,
      active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await db.query(`CREATE UNIQUE INDEX signing_keys_one_active ON auth.signing_keys (active) WHERE active`);
    for (const sql of createOutboxTableSql('auth')) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const sql of dropOutboxTableSql('auth')) await db.query(sql);
    await db.query(`DROP TABLE auth.signing_keys`);
    await db.query(`DROP FUNCTION auth.recent_hits(timestamptz[], timestamptz)`);
    await db.query(`DROP TABLE auth.otp_rate_limits`);
    await db.query(`DROP TABLE auth.otp_challenges`);
    await db.query(`DROP TABLE auth.customers`);
    // btree_gist stays: it is database-wide and something else may have come to rely on it.
  }
}
