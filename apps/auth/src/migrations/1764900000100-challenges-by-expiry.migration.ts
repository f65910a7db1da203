import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Challenges are pruned once expired for OTP_RETENTION_HOURS: the oldest found without a scan. */
export class ChallengesByExpiry1764900000100 implements MigrationInterface {
  name = 'ChallengesByExpiry1764900000100';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX otp_challenges_expires_idx ON auth.otp_challenges (expires_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX auth.otp_challenges_expires_idx`);
  }
}
