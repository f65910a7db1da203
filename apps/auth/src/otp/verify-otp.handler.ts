import { Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { RequestContext } from '@bank/common';
import { Sql } from '@bank/database';
import { appendToOutbox } from '@bank/messaging';
import { createEnvelope, DomainError, EventTypes, VerifyOtpCommand, type EventEnvelope, type VerifyOtpReply } from '@bank/contracts';
import { AUTH_SCHEMA } from '../auth.schema.js';
import { AccessTokenService } from '../tokens/access-token.service.js';
import { CHALLENGE_COLUMNS, LIVE_CHALLENGE, type ChallengeRow } from './challenge.row.js';
import { OtpCodeService } from './otp-code.service.js';

/** The challenge changed between our read and our write (a resend, a concurrent verify): look again. */
class ChallengeChanged extends Error {}

/** A handful of rounds is plenty: each lost round means someone else's write committed. */
const MAX_ROUNDS = 5;

/**
 * Checks a code. The comparison happens here (constant time), so every write is a compare-and-set
 * on what was compared: it only applies while the challenge is still live and still has the hash
 * that was checked. Of two concurrent right answers exactly one sets used_at (the row lock makes the
 * second re-check its WHERE and find the challenge used); a lost round reads the challenge again.
 */
@CommandHandler(VerifyOtpCommand)
export class VerifyOtpHandler implements ICommandHandler<VerifyOtpCommand, VerifyOtpReply> {
  private readonly logger = new Logger(VerifyOtpHandler.name);

  constructor(
    private readonly db: Sql,
    private readonly codes: OtpCodeService,
    private readonly tokens: AccessTokenService,
  ) {}

  async execute({ challengeId, code }: VerifyOtpCommand): Promise<VerifyOtpReply> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const [challenge] = await this.db.rows<ChallengeRow>(`SELECT ${CHALLENGE_COLUMNS} FROM auth.otp_challenges WHERE id = $1`, [
        challengeId,
      ]);
      if (!challenge) throw new DomainError('CHALLENGE_NOT_FOUND', `Challenge ${challengeId} not found`);
      if (challenge.attempts >= challenge.max_attempts) throw new DomainError('OTP_LOCKED', 'Too many wrong codes; request a new one');
      if (challenge.used) throw new DomainError('OTP_INVALID', 'This code was already used');
      if (challenge.expired) throw new DomainError('OTP_EXPIRED', 'The code has expired; request a new one');
      try {
        if (this.codes.matches(challengeId, code, challenge.code_hash)) return await this.accept(challenge);
        await this.refuse(challenge);
      } catch (error) {
        if (error instanceof ChallengeChanged) continue;
        throw error;
      }
    }
    throw new DomainError('SERVICE_UNAVAILABLE', `Challenge ${challengeId} keeps changing concurrently; retry`);
  }

  /** Uses the challenge, finds or registers the customer, records the events and signs: all or nothing. */
  private accept(challenge: ChallengeRow): Promise<VerifyOtpReply> {
    return this.db.transaction(async (tx) => {
      // Upsert that always returns the row: an existing customer comes back with its own id.
      const newId = randomUUID();
      const [customer] = await tx.rows<{ id: string; created: boolean }>(
        `INSERT INTO auth.customers (id, phone) VALUES ($1, $2)
         ON CONFLICT (phone) DO UPDATE SET phone = EXCLUDED.phone
         RETURNING id, id = $1 AS created`,
        [newId, challenge.phone],
      );
      const used = await tx.rows<{ id: string }>(
        `UPDATE auth.otp_challenges SET used_at = now(), customer_id = $3
          WHERE id = $1 AND code_hash = $2 AND ${LIVE_CHALLENGE}
         RETURNING id`,
        [challenge.id, challenge.code_hash, customer.id],
      );
      // Rolls back the customer insert too.
      if (used.length === 0) throw new ChallengeChanged();

      const meta = { correlationId: RequestContext.correlationId() ?? challenge.id };
      const events: EventEnvelope[] = [];
      if (customer.created)
        events.push(createEnvelope(EventTypes.CustomerRegistered, { customerId: customer.id, phone: challenge.phone }, meta));
      events.push(createEnvelope(EventTypes.OtpVerified, { challengeId: challenge.id, customerId: customer.id }, meta));
      await appendToOutbox(tx, AUTH_SCHEMA, events);

      // Signed before commit: if signing fails, the code stays usable and no event leaves.
      const { accessToken, expiresIn } = await this.tokens.sign(customer.id);
      this.logger.log({ msg: 'otp verified', challengeId: challenge.id, customerId: customer.id, registered: customer.created });
      return { accessToken, tokenType: 'Bearer' as const, expiresIn, customerId: customer.id };
    });
  }

  /** Counts the wrong try; the one that reaches the maximum locks the challenge and says so. Always throws. */
  private async refuse(challenge: ChallengeRow): Promise<never> {
    const counted = await this.db.transaction(async (tx) => {
      const [row] = await tx.rows<{ attempts: number; max_attempts: number }>(
        `UPDATE auth.otp_challenges SET attempts = attempts + 1
          WHERE id = $1 AND code_hash = $2 AND ${LIVE_CHALLENGE}
         RETURNING attempts, max_attempts`,
        [challenge.id, challenge.code_hash],
      );
      if (!row) throw new ChallengeChanged();
      if (row.attempts >= row.max_attempts) {
        const event = createEnvelope(
          EventTypes.OtpLocked,
          { challengeId: challenge.id },
          { correlationId: RequestContext.correlationId() ?? challenge.id },
        );
        await appendToOutbox(tx, AUTH_SCHEMA, [event]);
      }
      return row;
    });
    const attemptsLeft = counted.max_attempts - counted.attempts;
    if (attemptsLeft === 0) this.logger.warn({ msg: 'otp challenge locked', challengeId: challenge.id });
    throw new DomainError('OTP_INVALID', 'Wrong code', { attemptsLeft });
  }
}
