import { Injectable, Logger } from '@nestjs/common';
import type { SqlRunner } from '@bank/database';
import { DomainError } from '@bank/contracts';
import { AuthConfig } from '../config/auth.config.js';
import { combine, recentHits, streakVerdict, windowVerdict, type Verdict, type WindowRule } from './rate-window.js';
import { sourceKey } from './source-address.js';

type Kind = 'phone-starts' | 'phone-failures' | 'source-starts' | 'sms';

interface LimitRow {
  hits: Date[];
  streak: number;
  last_hit_at: Date | null;
  /** The database's clock, the one every replica shares. */
  now: Date;
}

/** A phone's failure window, held (row-locked) for the rest of the transaction that checks a code. */
export interface HeldFailures {
  phone: string;
  recent: Date[];
  streak: number;
  now: Date;
}

const SYSTEM = '';

/** Locks the window's row (creating it on first use) and reads it: the lock serialises its requests until commit. */
const LOCK_SQL = `
  INSERT INTO auth.otp_rate_limits AS r (kind, subject) VALUES ($1, $2)
  ON CONFLICT (kind, subject) DO UPDATE SET kind = r.kind
  RETURNING hits, streak, last_hit_at, now() AS now`;

const PEEK_SQL = `SELECT hits, streak, last_hit_at, now() AS now FROM auth.otp_rate_limits WHERE kind = $1 AND subject = $2`;

const WRITE_SQL = `UPDATE auth.otp_rate_limits SET hits = $3, streak = $4, last_hit_at = $5 WHERE kind = $1 AND subject = $2`;

/**
 * The OTP abuse limits, kept in auth's schema so every auth replica weighs a request against the same
 * windows. Each method runs inside the caller's transaction: what it records commits with the start
 * or the check it admitted, and a refusal (thrown) rolls back everything the request had recorded.
 * Rows are always locked in one order (phone starts, source, SMS budget; a check locks only its
 * phone's failures), so concurrent requests wait for each other but never deadlock.
 */
@Injectable()
export class OtpLimitsService {
  private readonly logger = new Logger(OtpLimitsService.name);
  private readonly rules: Record<Kind, WindowRule>;

  constructor(private readonly config: AuthConfig) {
    this.rules = {
      'phone-starts': { limit: config.OTP_RATE_LIMIT, windowSeconds: config.OTP_RATE_WINDOW_SECONDS },
      'phone-failures': { limit: config.OTP_FAILURE_LIMIT, windowSeconds: config.OTP_FAILURE_WINDOW_SECONDS },
      'source-starts': { limit: config.OTP_SOURCE_LIMIT, windowSeconds: config.OTP_SOURCE_WINDOW_SECONDS },
      sms: { limit: config.OTP_SMS_PER_MINUTE, windowSeconds: 60 },
    };
  }

  /**
   * Admits a start (a code to send) or throws OTP_RATE_LIMITED: the phone must not be held by its
   * failures, and the phone's starts, the source's starts and the system's SMS budget must each have
   * room. Call it last before commit: the SMS budget's row, which every start shares, stays locked
   * until then.
   */
  async admitStart(tx: SqlRunner, phone: string, source: string): Promise<void> {
    const [failures] = await tx.rows<LimitRow>(PEEK_SQL, ['phone-failures', phone]);
    if (failures) this.refuseUnless(this.failureVerdict(failures), 'phone-failures', 'Too many wrong codes for this phone');
    await this.take(tx, 'phone-starts', phone, 'Too many code requests for this phone');
    await this.take(tx, 'source-starts', sourceKey(source), 'Too many code requests from this address');
    await this.take(tx, 'sms', SYSTEM, 'Too many codes sent right now');
  }

  /** Holds the phone's failure window for a code check, or throws OTP_RATE_LIMITED while it is full. */
  async holdForCheck(tx: SqlRunner, phone: string): Promise<HeldFailures> {
    const [row] = await tx.rows<LimitRow>(LOCK_SQL, ['phone-failures', phone]);
    this.refuseUnless(this.failureVerdict(row), 'phone-failures', 'Too many wrong codes for this phone');
    return { phone, recent: recentHits(row.hits, row.now, this.rules['phone-failures'].windowSeconds), streak: row.streak, now: row.now };
  }

  /** A wrong code: one more in the window and in the streak. */
  async recordFailure(tx: SqlRunner, held: HeldFailures): Promise<void> {
    await tx.rows(WRITE_SQL, ['phone-failures', held.phone, [...held.recent, held.now], held.streak + 1, held.now]);
  }

  /** A right code ends the streak (NIST: disregard earlier failures); the window keeps them, so it still bounds guessing. */
  async recordSuccess(tx: SqlRunner, held: HeldFailures): Promise<void> {
    if (held.streak > 0) await tx.rows(WRITE_SQL, ['phone-failures', held.phone, held.recent, 0, null]);
  }

  private failureVerdict(row: LimitRow): Verdict {
    const recent = recentHits(row.hits, row.now, this.rules['phone-failures'].windowSeconds);
    return combine(
      windowVerdict(recent, row.now, this.rules['phone-failures']),
      streakVerdict(row.streak, row.last_hit_at, row.now, {
        limit: this.config.OTP_FAILURE_STREAK_LIMIT,
        waitSeconds: this.config.OTP_FAILURE_STREAK_WAIT_SECONDS,
      }),
    );
  }

  private async take(tx: SqlRunner, kind: Kind, subject: string, message: string): Promise<void> {
    const [row] = await tx.rows<LimitRow>(LOCK_SQL, [kind, subject]);
    const recent = recentHits(row.hits, row.now, this.rules[kind].windowSeconds);
    this.refuseUnless(windowVerdict(recent, row.now, this.rules[kind]), kind, message);
    await tx.rows(WRITE_SQL, [kind, subject, [...recent, row.now], row.streak, row.now]);
  }

  private refuseUnless(verdict: Verdict, kind: Kind, message: string): void {
    if (verdict.admitted) return;
    this.logger.warn({
      msg: 'otp request refused',
      limit: kind,
      errorCode: 'OTP_RATE_LIMITED',
      retryAfterSeconds: verdict.retryAfterSeconds,
    });
    throw new DomainError('OTP_RATE_LIMITED', `${message}; try again in ${verdict.retryAfterSeconds} s`, {
      retryAfterSeconds: verdict.retryAfterSeconds,
    });
  }
}
