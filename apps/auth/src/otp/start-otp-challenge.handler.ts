import { Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { Sql } from '@bank/database';
import { StartOtpChallengeCommand, type StartOtpChallengeReply } from '@bank/contracts';
import { AuthConfig } from '../config/auth.config.js';
import { OtpCodeService } from './otp-code.service.js';
import { OtpLimitsService } from './otp-limits.service.js';
import { OtpSealService } from './otp-seal.service.js';

/**
 * Starts an OTP challenge for the phone: every request gets a challenge of its own, with its own id
 * and code. A challenge's id is never handed to a second requester, so nobody who merely knows the
 * phone can spend the owner's tries or learn which challenge the owner is answering; asking again
 * buys no more guesses either, because wrong codes are counted per phone across its challenges. The
 * challenge is written and then weighed against the limits in the same transaction: a refusal rolls
 * it back, so a refused request leaves nothing behind.
 */
@CommandHandler(StartOtpChallengeCommand)
export class StartOtpChallengeHandler implements ICommandHandler<StartOtpChallengeCommand, StartOtpChallengeReply> {
  private readonly logger = new Logger(StartOtpChallengeHandler.name);

  constructor(
    private readonly db: Sql,
    private readonly config: AuthConfig,
    private readonly codes: OtpCodeService,
    private readonly limits: OtpLimitsService,
    private readonly sealer: OtpSealService,
  ) {}

  async execute({ phone, source }: StartOtpChallengeCommand): Promise<StartOtpChallengeReply> {
    const code = this.codes.generate();
    const id = randomUUID();
    const challenge = await this.db.transaction(async (tx) => {
      const [created] = await tx.rows<{ id: string; expires_at: Date; sends: number }>(
        `INSERT INTO auth.otp_challenges (id, phone, code_hash, max_attempts, expires_at)
         VALUES ($1, $2, $3, $4, now() + $5::int * interval '1 second')
         RETURNING id, expires_at, sends`,
        [id, phone, this.codes.hash(id, code), this.config.OTP_MAX_ATTEMPTS, this.config.OTP_TTL_SECONDS],
      );
      await this.limits.admitStart(tx, phone, source);
      return created;
    });
    this.logger.log({ msg: 'otp challenge started', challengeId: challenge.id });
    // The code leaves auth only sealed for notifications, bound to this challenge and send.
    const sealedCode = this.sealer.seal({ challengeId: challenge.id, send: challenge.sends }, code);
    return { challengeId: challenge.id, expiresAt: challenge.expires_at.toISOString(), sealedCode, send: challenge.sends };
  }
}
