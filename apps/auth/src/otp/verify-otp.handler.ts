import { Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { RequestContext } from '@bank/common';
import { Sql, type SqlRunner } from '@bank/database';
import { outboxWrite } from '@bank/messaging';
import { createEnvelope, DomainError, EventTypes, VerifyOtpCommand, type EventEnvelope, type VerifyOtpReply } from '@bank/contracts';
import { AUTH_SCHEMA } from '../auth.schema.js';
import { AccessTokenService } from '../tokens/access-token.service.js';
import { CHALLENGE_COLUMNS, type ChallengeRow } from './challenge.row.js';
import { OtpCodeService } from './otp-code.service.js';
import { OtpLimitsService, type HeldFailures } from './otp-limits.service.js';

/**
 * Checks a code, in one transaction that holds the phone's failure window and then the challenge
 * (the order every check takes, so two never deadlock). The window is weighed before the code is
 * compared: a refused check learns nothing about the code, and concurrent wrong codes for one phone
 * queue on its row, so together they never pass the limit. The comparison is constant time; what it
 * decides (used, or one more wrong try) commits with the window's update, or neither does.
 */
@CommandHandler(VerifyOtpCommand)
export class VerifyOtpHandler implements ICommandHandler<VerifyOtpCommand, VerifyOtpReply> {
  private readonly logger = new Logger(VerifyOtpHandler.name);

  constructor(
    private readonly db: Sql,
    private readonly codes: OtpCodeService,
    private readonly tokens: AccessTokenService,
    private readonly limits: OtpLimitsService,
  ) {}

  async execute({ challengeId, code }: VerifyOtpCommand): Promise<VerifyOtpReply> {
    const outcome = await this.db.transaction(async (tx): Promise<{ accepted: VerifyOtpReply } | { attemptsLeft: number }> => {
      const [found] = await tx.rows<{ phone: string }>(`SELECT phone FROM auth.otp_challenges WHERE id = $1`, [challengeId]);
      if (!found) throw new DomainError('CHALLENGE_NOT_FOUND', `Challenge ${challengeId} not found`);
      const failures = await this.limits.holdForCheck(tx, found.phone);
      const [challenge] = await tx.rows<ChallengeRow>(`SELECT ${CHALLENGE_COLUMNS} FROM auth.otp_challenges WHERE id = $1 FOR UPDATE`, [
        challengeId,
      ]);
      if (challenge.attempts >= challenge.max_attempts) throw new DomainError('OTP_LOCKED', 'Too many wrong codes; request a new one');
      if (challenge.used) throw new DomainError('OTP_INVALID', 'This code was already used');
      if (challenge.expired) throw new DomainError('OTP_EXPIRED', 'The code has expired; request a new one');
      if (this.codes.matches(challengeId, code, challenge.code_hash)) return { accepted: await this.accept(tx, challenge, failures) };
      return { attemptsLeft: await this.refuse(tx, challenge, failures) };
    });
    if ('accepted' in outcome) return outcome.accepted;
    if (outcome.attemptsLeft === 0) this.logger.warn({ msg: 'otp challenge locked', challengeId });
    throw new DomainError('OTP_INVALID', 'Wrong code', { attemptsLeft: outcome.attemptsLeft });
  }

  /** Uses the challenge, finds or registers the customer, records the events and signs: all or nothing. */
  private async accept(tx: SqlRunner, challenge: ChallengeRow, failures: HeldFailures): Promise<VerifyOtpReply> {
    // Upsert that always returns the row: an existing customer comes back with its own id.
    const newId = randomUUID();
    const [customer] = await tx.rows<{ id: string; created: boolean }>(
      `INSERT INTO auth.customers (id, phone) VALUES ($1, $2)
       ON CONFLICT (phone) DO UPDATE SET phone = EXCLUDED.phone
       RETURNING id, id = $1 AS created`,
      [newId, challenge.phone],
    );
    await tx.rows(`UPDATE auth.otp_challenges SET used_at = now(), customer_id = $2 WHERE id = $1`, [challenge.id, customer.id]);
    await this.limits.recordSuccess(tx, failures);

    const meta = { correlationId: RequestContext.correlationId() ?? challenge.id };
    const events: EventEnvelope[] = [];
    if (customer.created)
      events.push(createEnvelope(EventTypes.CustomerRegistered, { customerId: customer.id, phone: challenge.phone }, meta));
    events.push(createEnvelope(EventTypes.OtpVerified, { challengeId: challenge.id, customerId: customer.id }, meta));
    const written = outboxWrite(AUTH_SCHEMA, events, { param: 1 });
    await tx.rows(written.sql, [written.param]);

    // Signed before commit: if signing fails, the code stays usable and no event leaves.
    const { accessToken, expiresIn } = await this.tokens.sign(customer.id);
    this.logger.log({ msg: 'otp verified', challengeId: challenge.id, customerId: customer.id, registered: customer.created });
    return { accessToken, tokenType: 'Bearer' as const, expiresIn, customerId: customer.id };
  }

  /** Counts the wrong try on the challenge and the phone; the one that reaches the maximum locks the challenge and says so. */
  private async refuse(tx: SqlRunner, challenge: ChallengeRow, failures: HeldFailures): Promise<number> {
    const [row] = await tx.rows<{ attempts: number; max_attempts: number }>(
      `UPDATE auth.otp_challenges SET attempts = attempts + 1 WHERE id = $1 RETURNING attempts, max_attempts`,
      [challenge.id],
    );
    await this.limits.recordFailure(tx, failures);
    if (row.attempts >= row.max_attempts) {
      const event = createEnvelope(
        EventTypes.OtpLocked,
        { challengeId: challenge.id },
        { correlationId: RequestContext.correlationId() ?? challenge.id },
      );
      const written = outboxWrite(AUTH_SCHEMA, [event], { param: 1 });
      await tx.rows(written.sql, [written.param]);
    }
    return row.max_attempts - row.attempts;
  }
}
