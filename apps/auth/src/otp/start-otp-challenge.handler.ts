import { Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { Sql } from '@bank/database';
import { DomainError, StartOtpChallengeCommand, type StartOtpChallengeReply } from '@bank/contracts';
import { AuthConfig } from '../config/auth.config.js';
import { LIVE_CHALLENGE } from './challenge.row.js';
import { OtpCodeService } from './otp-code.service.js';
import { OtpSealService } from './otp-seal.service.js';

/**
 * Records this request in the phone's sliding window, unless the window is full; one statement, and
 * its row lock serialises the phone's concurrent requests until the transaction ends. Refused requests
 * are not recorded, so a flood does not push the window forward.
 */
const RATE_LIMIT_SQL = `
  INSERT INTO auth.otp_rate_limits AS r (phone, hits) VALUES ($1, ARRAY[now()])
  ON CONFLICT (phone) DO UPDATE SET
    refused = cardinality(auth.recent_hits(r.hits, now() - $3::int * interval '1 second')) >= $2::int,
    hits = CASE
      WHEN cardinality(auth.recent_hits(r.hits, now() - $3::int * interval '1 second')) >= $2::int
      THEN auth.recent_hits(r.hits, now() - $3::int * interval '1 second')
      ELSE auth.recent_hits(r.hits, now() - $3::int * interval '1 second') || now()
    END
  RETURNING refused`;

/**
 * Starts the phone's OTP challenge, or refreshes its live one. A resend keeps the challenge's id,
 * expiry and wrong-try count and only replaces the code: asking again never buys more guesses or
 * more time. Everything runs in one transaction that holds the phone's rate-limit row, so two
 * concurrent requests for a phone cannot both create a challenge (the database's exclusion
 * constraint would refuse the second anyway). It relies on READ COMMITTED, Postgres's default: the
 * live-challenge lookup, taken after the phone's row lock, sees what the previous holder committed.
 */
@CommandHandler(StartOtpChallengeCommand)
export class StartOtpChallengeHandler implements ICommandHandler<StartOtpChallengeCommand, StartOtpChallengeReply> {
  private readonly logger = new Logger(StartOtpChallengeHandler.name);

  constructor(
    private readonly db: Sql,
    private readonly config: AuthConfig,
    private readonly codes: OtpCodeService,
    private readonly sealer: OtpSealService,
  ) {}

  async execute({ phone }: StartOtpChallengeCommand): Promise<StartOtpChallengeReply> {
    const code = this.codes.generate();
    const challenge = await this.db.transaction(async (tx) => {
      const [rate] = await tx.rows<{ refused: boolean }>(RATE_LIMIT_SQL, [
        phone,
        this.config.OTP_RATE_LIMIT,
        this.config.OTP_RATE_WINDOW_SECONDS,
      ]);
      if (rate.refused) {
        throw new DomainError(
          'OTP_RATE_LIMITED',
          `More than ${this.config.OTP_RATE_LIMIT} code requests within ${this.config.OTP_RATE_WINDOW_SECONDS} s`,
        );
      }
      const [live] = await tx.rows<{ id: string }>(`SELECT id FROM auth.otp_challenges WHERE phone = $1 AND ${LIVE_CHALLENGE} FOR UPDATE`, [
        phone,
      ]);
      if (live) {
        const [resent] = await tx.rows<{ id: string; expires_at: Date; sends: number }>(
          `UPDATE auth.otp_challenges SET code_hash = $2, sends = sends + 1 WHERE id = $1 RETURNING id, expires_at, sends`,
          [live.id, this.codes.hash(live.id, code)],
        );
        return { ...resent, resend: true };
      }
      const id = randomUUID();
      const [created] = await tx.rows<{ id: string; expires_at: Date; sends: number }>(
        `INSERT INTO auth.otp_challenges (id, phone, code_hash, max_attempts, expires_at)
         VALUES ($1, $2, $3, $4, now() + $5::int * interval '1 second')
         RETURNING id, expires_at, sends`,
        [id, phone, this.codes.hash(id, code), this.config.OTP_MAX_ATTEMPTS, this.config.OTP_TTL_SECONDS],
      );
      return { ...created, resend: false };
    });
    this.logger.log({ msg: 'otp challenge started', challengeId: challenge.id, resend: challenge.resend });
    // The code leaves auth only sealed for notifications, bound to this challenge and send.
    const sealedCode = this.sealer.seal({ challengeId: challenge.id, send: challenge.sends }, code);
    return { challengeId: challenge.id, expiresAt: challenge.expires_at.toISOString(), sealedCode, send: challenge.sends };
  }
}
