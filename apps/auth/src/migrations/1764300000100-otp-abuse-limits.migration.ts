import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * OTP limits that hold over time and across phones. Every start is now a challenge of its own (a
 * resend no longer hands the live challenge's id to whoever asks), so a phone may have several live
 * challenges and the one-live-challenge exclusion goes; the guesses they allow are bounded per phone
 * instead, by the failure log below. The per-phone start log becomes one of four rolling windows kept
 * in one table: starts per phone, failed code checks per phone, starts per source address, and the
 * SMS budget of the whole system. One row per window, locked while a request is weighed against it.
 */
export class OtpAbuseLimits1764300000100 implements MigrationInterface {
  name = 'OtpAbuseLimits1764300000100';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE auth.otp_challenges DROP CONSTRAINT one_live_challenge_per_phone`);
    await db.query(`DROP TABLE auth.otp_rate_limits`);
    await db.query(`DROP FUNCTION auth.recent_hits(timestamptz[], timestamptz)`);
    await db.query(`CREATE TABLE auth.otp_rate_limits (
      kind text NOT NULL CONSTRAINT rate_limit_kind CHECK (kind IN ('phone-starts', 'phone-failures', 'source-starts', 'sms')),
      -- The phone, the source address (an IPv6 source by its /64), or '' for the system-wide SMS budget.
      subject text NOT NULL,
      -- The hits still inside the window, oldest first: bounded by the limit, which the config caps.
      hits timestamptz[] NOT NULL DEFAULT '{}',
      -- phone-failures only: failures since the phone's last successful check, and the latest of them.
      streak integer NOT NULL DEFAULT 0 CONSTRAINT streak_not_negative CHECK (streak >= 0),
      last_hit_at timestamptz,
      PRIMARY KEY (kind, subject),
      CONSTRAINT hits_bounded CHECK (cardinality(hits) <= 10000)
    )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE auth.otp_rate_limits`);
    await db.query(`CREATE TABLE auth.otp_rate_limits (
      phone text PRIMARY KEY,
      hits timestamptz[] NOT NULL,
      refused boolean NOT NULL DEFAULT false,
      CONSTRAINT hits_bounded CHECK (cardinality(hits) <= 100)
    )`);
    await db.query(`CREATE FUNCTION auth.recent_hits(hits timestamptz[], since timestamptz) RETURNS timestamptz[]
      LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT coalesce(array_agg(h ORDER BY h), '{}') FROM unnest(hits) AS h WHERE h > since $$`);
    // Fails while a phone has two live challenges: then down is not possible without losing one.
    await db.query(`ALTER TABLE auth.otp_challenges ADD CONSTRAINT one_live_challenge_per_phone
      EXCLUDE USING gist (phone WITH =, tstzrange(created_at, expires_at) WITH &&) WHERE (used_at IS NULL AND attempts < max_attempts)`);
  }
}
