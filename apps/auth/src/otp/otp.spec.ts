/**
 * The OTP and token rules against the real Postgres: a database of its own, created here, migrated
 * with the service's migrations, dropped at the end.
 */
import { createHmac, generateKeyPairSync, randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LoggerService } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import { calculateJwkThumbprint, decodeProtectedHeader, exportJWK, importSPKI, jwtVerify } from 'jose';
import { jest } from '@jest/globals';
import { openOtpCode, RequestContext, SealOpenError } from '@bank/common';
import { pgConstraint, runServiceMigrations, Sql } from '@bank/database';
import { createTestDatabase, uniqueName, type ThrowawayDatabase } from '@bank/testing';
import {
  DomainError,
  GetSigningKeysQuery,
  StartOtpChallengeCommand,
  VerifyOtpCommand,
  type GetSigningKeysReply,
  type StartOtpChallengeReply,
  type VerifyOtpReply,
} from '@bank/contracts';
import { AuthModule } from '../auth.module.js';
import { AUTH_SCHEMA } from '../auth.schema.js';
import { loadConfig } from '@bank/common/config';
import { AuthConfig } from '../config/auth.config.js';
import { authMigrations } from '../migrations/index.js';
import { AccessTokenService } from '../tokens/access-token.service.js';
import { SigningKeysService } from '../tokens/signing-keys.service.js';
import { OtpCodeService } from './otp-code.service.js';
import { OtpLimitsService } from './otp-limits.service.js';
import { OtpSealService } from './otp-seal.service.js';
import { StartOtpChallengeHandler } from './start-otp-challenge.handler.js';
import { VerifyOtpHandler } from './verify-otp.handler.js';

// Database round trips under a busy machine (parallel suites): generous, but bounded.
jest.setTimeout(30_000);

const PEPPER = 'spec-pepper-0123456789abcdef';
// notifications' key pair: auth reads only the public half from CERTS_DIR; the spec opens with the private half.
const sealKeys = generateKeyPairSync('x25519');
const CERTS_DIR = mkdtempSync(path.join(tmpdir(), 'auth-spec-certs-'));
writeFileSync(path.join(CERTS_DIR, 'otp-seal.pub'), sealKeys.publicKey.export({ type: 'spki', format: 'pem' }));

const quiet: LoggerService = { log: () => undefined, error: () => undefined, warn: () => undefined };

let db: ThrowawayDatabase;
let moduleRef: TestingModule;
let config: AuthConfig;
let sql: Sql;
let commands: CommandBus;
let queries: QueryBus;

// Every start here comes from one address and the file makes a few hundred: those two limits are
// raised by configuration, like the e2e harness does; the tests of each limit set their own.
const configWith = (env: NodeJS.ProcessEnv = {}) =>
  loadConfig(AuthConfig, {
    DATABASE_URL: db.url,
    NODE_ENV: 'test',
    OTP_PEPPER: PEPPER,
    DB_POOL_SIZE: '20',
    OTP_SOURCE_LIMIT: '10000',
    OTP_SMS_PER_MINUTE: '10000',
    CERTS_DIR,
    ...env,
  });

beforeAll(async () => {
  db = await createTestDatabase(uniqueName('auth_spec'));
  await runServiceMigrations({ schema: AUTH_SCHEMA, url: db.url, migrations: authMigrations });
  config = configWith();
  moduleRef = await Test.createTestingModule({ imports: [AuthModule.forRoot(config)] })
    .setLogger(quiet)
    .compile();
  await moduleRef.init();
  sql = moduleRef.get(Sql);
  commands = moduleRef.get(CommandBus);
  queries = moduleRef.get(QueryBus);
}, 60_000);

afterAll(async () => {
  await moduleRef?.close();
  await db?.drop();
  rmSync(CERTS_DIR, { recursive: true, force: true });
}, 60_000);

/** A fresh phone per test, so tests do not share challenges or rate-limit windows. */
const newPhone = () => `+4917${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;
const SOURCE = '203.0.113.7';
const startCmd = (phone: string, source = SOURCE) => Object.assign(new StartOtpChallengeCommand(), { phone, source });
const verifyCmd = (challengeId: string, code: string) => Object.assign(new VerifyOtpCommand(), { challengeId, code });
/** The reply, plus the code as notifications reads it (opened with its private key). */
type Started = StartOtpChallengeReply & { code: string };
const opened = (reply: StartOtpChallengeReply): Started => ({ ...reply, code: openOtpCode(sealKeys.privateKey, reply, reply.sealedCode) });
const start = async (phone: string): Promise<Started> =>
  opened(await commands.execute<StartOtpChallengeCommand, StartOtpChallengeReply>(startCmd(phone)));
const verify = (challengeId: string, code: string): Promise<VerifyOtpReply> => commands.execute(verifyCmd(challengeId, code));
const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

async function errorCodeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  throw new Error('expected a DomainError');
}

async function challengeRow(id: string) {
  const [row] = await sql.rows<{ attempts: number; expires_at: Date; used_at: Date | null; customer_id: string | null; code_hash: Buffer }>(
    `SELECT attempts, expires_at, used_at, customer_id, code_hash FROM auth.otp_challenges WHERE id = $1`,
    [id],
  );
  return row;
}

async function outboxEvents(type: string, key: string, value: string) {
  return sql.rows<{
    id: string;
    correlation_id: string;
    payload: { id: string; type: string; correlationId: string; data: Record<string, string> };
  }>(`SELECT id, correlation_id, payload FROM auth.outbox WHERE type = $1 AND payload->'data'->>$2 = $3 ORDER BY seq`, [type, key, value]);
}

/** Moves a window's recorded hits `seconds` into the past, as if that much time had gone by. */
async function ageHits(kind: string, subject: string, seconds: number) {
  await sql.rows(
    `UPDATE auth.otp_rate_limits SET hits = ARRAY(SELECT h - $3::int * interval '1 second' FROM unnest(hits) h),
            last_hit_at = last_hit_at - $3::int * interval '1 second'
      WHERE kind = $1 AND subject = $2`,
    [kind, subject, seconds],
  );
}

/** The refusal's code and the wait it asks for. */
async function refusalOf(promise: Promise<unknown>): Promise<{ code: string; retryAfterSeconds?: unknown }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, retryAfterSeconds: error.details?.retryAfterSeconds };
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe('start-otp-challenge', () => {
  it('replies with the code sealed to notifications, bound to the challenge and the send', async () => {
    const reply = await commands.execute<StartOtpChallengeCommand, StartOtpChallengeReply>(startCmd(newPhone()));
    expect(Object.keys(reply).sort()).toEqual(['challengeId', 'expiresAt', 'sealedCode', 'send']);
    expect(reply.sealedCode).toMatch(/^[A-Za-z0-9_-]+$/);
    const code = openOtpCode(sealKeys.privateKey, reply, reply.sealedCode);
    expect(code).toMatch(/^\d{6}$/);
    expect(JSON.stringify(reply)).not.toContain(code);
    expect(() => openOtpCode(sealKeys.privateKey, { ...reply, send: reply.send + 1 }, reply.sealedCode)).toThrow(SealOpenError);
    expect(() => openOtpCode(generateKeyPairSync('x25519').privateKey, reply, reply.sealedCode)).toThrow(SealOpenError);
  });

  it('makes a 6-digit code and stores only HMAC(pepper, challengeId:code)', async () => {
    const phone = newPhone();
    const reply = await start(phone);
    expect(reply.code).toMatch(/^\d{6}$/);
    const row = await challengeRow(reply.challengeId);
    const expected = createHmac('sha256', PEPPER).update(`${reply.challengeId}:${reply.code}`).digest();
    expect(row.code_hash.equals(expected)).toBe(true);
    // No column holds the code in clear (timestamps left out: their microseconds are digits too).
    const [stored] = await sql.rows<{ text: string }>(
      `SELECT (to_jsonb(c) - 'created_at' - 'expires_at' - 'used_at')::text AS text FROM auth.otp_challenges c WHERE id = $1`,
      [reply.challengeId],
    );
    expect(stored.text).not.toContain(reply.code);
  });

  it('expires the challenge OTP_TTL_SECONDS after its creation', async () => {
    const reply = await start(newPhone());
    const [row] = await sql.rows<{ ttl: number }>(
      `SELECT extract(epoch FROM expires_at - created_at)::float8 AS ttl FROM auth.otp_challenges WHERE id = $1`,
      [reply.challengeId],
    );
    expect(row.ttl).toBe(config.OTP_TTL_SECONDS);
    expect(new Date(reply.expiresAt).getTime()).toBe((await challengeRow(reply.challengeId)).expires_at.getTime());
  });

  it('draws codes from the whole 000000..999999 range', () => {
    const codes = new OtpCodeService(config);
    const drawn = Array.from({ length: 2000 }, () => codes.generate());
    expect(drawn.every((c) => /^\d{6}$/.test(c))).toBe(true);
    // 2000 draws from 10^6: a handful of duplicates at most, and both halves of the range show up.
    expect(new Set(drawn).size).toBeGreaterThan(1990);
    expect(drawn.some((c) => c < '500000') && drawn.some((c) => c >= '500000')).toBe(true);
  });

  it('a second request gets a challenge of its own: the first keeps its id, code and tries', async () => {
    const phone = newPhone();
    const first = await start(phone);
    expect(await errorCodeOf(verify(first.challengeId, wrong(first.code)))).toBe('OTP_INVALID');

    const second = await start(phone);
    expect(second.challengeId).not.toBe(first.challengeId);
    expect(second.send).toBe(1);
    expect((await challengeRow(second.challengeId)).attempts).toBe(0);
    // A code only fits its own challenge (one in a million the two codes are equal).
    if (second.code !== first.code) expect(await errorCodeOf(verify(first.challengeId, second.code))).toBe('OTP_INVALID');
    expect((await challengeRow(first.challengeId)).attempts).toBe(second.code !== first.code ? 2 : 1);

    // Both stay good for their requesters.
    const a = await verify(first.challengeId, first.code);
    const b = await verify(second.challengeId, second.code);
    expect(b.customerId).toBe(a.customerId);
  });

  it('concurrent requests for one phone each get a challenge of their own', async () => {
    const phone = newPhone();
    const replies = await Promise.all(Array.from({ length: config.OTP_RATE_LIMIT }, () => start(phone)));
    expect(new Set(replies.map((r) => r.challengeId)).size).toBe(config.OTP_RATE_LIMIT);
    const [count] = await sql.rows<{ n: number }>(`SELECT count(*)::int AS n FROM auth.otp_challenges WHERE phone = $1`, [phone]);
    expect(count.n).toBe(config.OTP_RATE_LIMIT);
  });

  it('starts a new challenge once the last one was used', async () => {
    const phone = newPhone();
    const first = await start(phone);
    await verify(first.challengeId, first.code);
    const second = await start(phone);
    expect(second.challengeId).not.toBe(first.challengeId);
  });

  it(`refuses the request after OTP_RATE_LIMIT within the window with OTP_RATE_LIMITED`, async () => {
    const phone = newPhone();
    for (let i = 0; i < config.OTP_RATE_LIMIT; i++) await start(phone);
    expect(await errorCodeOf(start(phone))).toBe('OTP_RATE_LIMITED');
    expect(await errorCodeOf(start(phone))).toBe('OTP_RATE_LIMITED');
    const [count] = await sql.rows<{ n: number }>(`SELECT count(*)::int AS n FROM auth.otp_challenges WHERE phone = $1`, [phone]);
    expect(count.n).toBe(config.OTP_RATE_LIMIT);
    // Move every recorded request out of the window: the phone may ask again.
    await ageHits('phone-starts', phone, config.OTP_RATE_WINDOW_SECONDS);
    expect((await start(phone)).code).toMatch(/^\d{6}$/);
  });

  it('the window slides: requests older than the window stop counting one by one', async () => {
    const phone = newPhone();
    for (let i = 0; i < config.OTP_RATE_LIMIT; i++) await start(phone);
    // Age only the oldest request beyond the window: exactly one more request fits.
    await sql.rows(
      `UPDATE auth.otp_rate_limits SET hits[1] = hits[1] - $2::int * interval '1 second' WHERE kind = 'phone-starts' AND subject = $1`,
      [phone, config.OTP_RATE_WINDOW_SECONDS],
    );
    await start(phone);
    expect(await errorCodeOf(start(phone))).toBe('OTP_RATE_LIMITED');
  });

  it('enforces the rate limit atomically under concurrency', async () => {
    const phone = newPhone();
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => start(phone)));
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected' && (r.reason as DomainError).code === 'OTP_RATE_LIMITED');
    expect(fulfilled).toHaveLength(config.OTP_RATE_LIMIT);
    expect(refused).toHaveLength(12 - config.OTP_RATE_LIMIT);
  });
});

describe('verify-otp', () => {
  it('an unknown challenge -> CHALLENGE_NOT_FOUND', async () => {
    expect(await errorCodeOf(verify('6f1c1f0e-4f6b-4a51-9d59-0d1f5b0e7a11', '123456'))).toBe('CHALLENGE_NOT_FOUND');
  });

  it('a wrong code counts a try and says OTP_INVALID; it writes no otp_verified', async () => {
    const reply = await start(newPhone());
    let caught: unknown;
    try {
      await verify(reply.challengeId, wrong(reply.code));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DomainError);
    expect(caught).toMatchObject({ code: 'OTP_INVALID', details: { attemptsLeft: config.OTP_MAX_ATTEMPTS - 1 } });
    expect((await challengeRow(reply.challengeId)).attempts).toBe(1);
    expect(await outboxEvents('auth.otp_verified', 'challengeId', reply.challengeId)).toHaveLength(0);
  });

  it('the try that reaches the maximum locks the challenge and writes one auth.otp_locked', async () => {
    const reply = await start(newPhone());
    for (let i = 0; i < config.OTP_MAX_ATTEMPTS - 1; i++) {
      expect(await errorCodeOf(verify(reply.challengeId, wrong(reply.code)))).toBe('OTP_INVALID');
    }
    expect(await outboxEvents('auth.otp_locked', 'challengeId', reply.challengeId)).toHaveLength(0);
    expect(await errorCodeOf(verify(reply.challengeId, wrong(reply.code)))).toBe('OTP_INVALID');
    expect(await outboxEvents('auth.otp_locked', 'challengeId', reply.challengeId)).toHaveLength(1);
    // Dead for good: even the right code is refused, and nothing more is counted or published.
    expect(await errorCodeOf(verify(reply.challengeId, reply.code))).toBe('OTP_LOCKED');
    expect(await errorCodeOf(verify(reply.challengeId, wrong(reply.code)))).toBe('OTP_LOCKED');
    expect((await challengeRow(reply.challengeId)).attempts).toBe(config.OTP_MAX_ATTEMPTS);
    expect(await outboxEvents('auth.otp_locked', 'challengeId', reply.challengeId)).toHaveLength(1);
    expect(await outboxEvents('auth.otp_verified', 'challengeId', reply.challengeId)).toHaveLength(0);
  });

  it('concurrent wrong codes never count more than the maximum', async () => {
    const reply = await start(newPhone());
    const codes = await Promise.all(Array.from({ length: 10 }, () => errorCodeOf(verify(reply.challengeId, wrong(reply.code)))));
    expect(codes.filter((c) => c === 'OTP_INVALID')).toHaveLength(config.OTP_MAX_ATTEMPTS);
    expect(codes.filter((c) => c === 'OTP_LOCKED')).toHaveLength(10 - config.OTP_MAX_ATTEMPTS);
    expect((await challengeRow(reply.challengeId)).attempts).toBe(config.OTP_MAX_ATTEMPTS);
    expect(await outboxEvents('auth.otp_locked', 'challengeId', reply.challengeId)).toHaveLength(1);
  });

  it('a used code is never accepted again', async () => {
    const reply = await start(newPhone());
    await verify(reply.challengeId, reply.code);
    expect(await errorCodeOf(verify(reply.challengeId, reply.code))).toBe('OTP_INVALID');
    expect(await outboxEvents('auth.otp_verified', 'challengeId', reply.challengeId)).toHaveLength(1);
  });

  it('of concurrent right answers exactly one gets a token', async () => {
    const reply = await start(newPhone());
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => verify(reply.challengeId, reply.code)));
    const winners = results.filter((r) => r.status === 'fulfilled');
    const losers = results.filter((r) => r.status === 'rejected');
    expect(winners).toHaveLength(1);
    expect(losers.map((r) => (r.reason as DomainError).code)).toEqual(Array(7).fill('OTP_INVALID'));
    expect(await outboxEvents('auth.otp_verified', 'challengeId', reply.challengeId)).toHaveLength(1);
    const [customers] = await sql.rows<{ n: number }>(
      `SELECT count(*)::int AS n FROM auth.customers WHERE phone = (SELECT phone FROM auth.otp_challenges WHERE id = $1)`,
      [reply.challengeId],
    );
    expect(customers.n).toBe(1);
  });

  it('an expired code -> OTP_EXPIRED, and the next request opens a new challenge', async () => {
    const shortLived = configWith({ OTP_TTL_SECONDS: '1' });
    const codes = new OtpCodeService(shortLived);
    const limits = new OtpLimitsService(shortLived);
    const startShort = new StartOtpChallengeHandler(sql, shortLived, codes, limits, moduleRef.get(OtpSealService));
    const verifyShort = new VerifyOtpHandler(sql, codes, moduleRef.get(AccessTokenService), limits);
    const phone = newPhone();
    const reply = opened(await startShort.execute(startCmd(phone)));
    // Poll the database's own clock (the one the rule uses) instead of sleeping a guessed time.
    const deadline = Date.now() + 5_000;
    for (;;) {
      const [row] = await sql.rows<{ expired: boolean }>(`SELECT expires_at <= now() AS expired FROM auth.otp_challenges WHERE id = $1`, [
        reply.challengeId,
      ]);
      if (row.expired) break;
      if (Date.now() > deadline) throw new Error('challenge did not expire in time');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await errorCodeOf(verifyShort.execute(verifyCmd(reply.challengeId, reply.code)))).toBe('OTP_EXPIRED');
    expect((await challengeRow(reply.challengeId)).used_at).toBeNull();
    const next = await startShort.execute(startCmd(phone));
    expect(next.challengeId).not.toBe(reply.challengeId);
  });

  it('checks in order: locked before used before expired', async () => {
    // Locked and expired at once: locked wins.
    const reply = await start(newPhone());
    for (let i = 0; i < config.OTP_MAX_ATTEMPTS; i++) await errorCodeOf(verify(reply.challengeId, wrong(reply.code)));
    await sql.rows(
      `UPDATE auth.otp_challenges SET created_at = created_at - interval '1 hour', expires_at = expires_at - interval '1 hour' WHERE id = $1`,
      [reply.challengeId],
    );
    expect(await errorCodeOf(verify(reply.challengeId, reply.code))).toBe('OTP_LOCKED');
    // Used and expired at once: used wins.
    const used = await start(newPhone());
    await verify(used.challengeId, used.code);
    await sql.rows(
      `UPDATE auth.otp_challenges SET created_at = created_at - interval '1 hour', expires_at = expires_at - interval '1 hour', used_at = used_at - interval '1 hour' WHERE id = $1`,
      [used.challengeId],
    );
    expect(await errorCodeOf(verify(used.challengeId, used.code))).toBe('OTP_INVALID');
  });
});

describe('abuse limits', () => {
  /** Handlers with limits of their own, over the same database. */
  function withLimits(env: NodeJS.ProcessEnv = {}) {
    const limited = configWith(env);
    const codes = new OtpCodeService(limited);
    const limits = new OtpLimitsService(limited);
    const starter = new StartOtpChallengeHandler(sql, limited, codes, limits, moduleRef.get(OtpSealService));
    const verifier = new VerifyOtpHandler(sql, codes, moduleRef.get(AccessTokenService), limits);
    return {
      config: limited,
      start: async (phone: string, source = SOURCE) => opened(await starter.execute(startCmd(phone, source))),
      verify: (challengeId: string, code: string) => verifier.execute(verifyCmd(challengeId, code)),
    };
  }

  const challengesOf = async (phone: string) =>
    (await sql.rows<{ n: number }>(`SELECT count(*)::int AS n FROM auth.otp_challenges WHERE phone = $1`, [phone]))[0].n;

  /** Spends `count` wrong codes on the phone, over as many challenges as that takes. */
  async function failTimes(phone: string, count: number) {
    let left = count;
    while (left > 0) {
      const challenge = await start(phone);
      for (let i = 0; i < Math.min(left, config.OTP_MAX_ATTEMPTS - 1); i++) {
        expect(await errorCodeOf(verify(challenge.challengeId, wrong(challenge.code)))).toBe('OTP_INVALID');
      }
      left -= Math.min(left, config.OTP_MAX_ATTEMPTS - 1);
    }
  }

  it('counts wrong codes per phone across challenges; past the limit, checks and starts for it wait', async () => {
    const phone = newPhone();
    await failTimes(phone, config.OTP_FAILURE_LIMIT);
    // Asking for more codes in between bought no more guesses: the limit counts the phone, not a challenge.
    const refusal = await refusalOf(start(phone));
    expect(refusal.code).toBe('OTP_RATE_LIMITED');
    expect(refusal.retryAfterSeconds).toBeGreaterThan(config.OTP_FAILURE_WINDOW_SECONDS - 60);
    expect(refusal.retryAfterSeconds).toBeLessThanOrEqual(config.OTP_FAILURE_WINDOW_SECONDS);
    // Another phone is not held.
    expect((await start(newPhone())).code).toMatch(/^\d{6}$/);
    // The window frees: the phone may ask and check again.
    await ageHits('phone-failures', phone, config.OTP_FAILURE_WINDOW_SECONDS);
    const next = await start(phone);
    expect((await verify(next.challengeId, next.code)).customerId).toBeDefined();
  });

  it('a held phone refuses even the right code, without looking at it or counting a try', async () => {
    const phone = newPhone();
    const owner = await start(phone);
    await failTimes(phone, config.OTP_FAILURE_LIMIT);
    const refusal = await refusalOf(verify(owner.challengeId, owner.code));
    expect(refusal).toMatchObject({ code: 'OTP_RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
    expect((await challengeRow(owner.challengeId)).attempts).toBe(0);
  });

  it('the wait ends with the oldest counted failure; refused requests do not push it further', async () => {
    const phone = newPhone();
    const owner = await start(phone);
    await failTimes(phone, config.OTP_FAILURE_LIMIT);
    for (let i = 0; i < 5; i++) expect(await errorCodeOf(verify(owner.challengeId, wrong(owner.code)))).toBe('OTP_RATE_LIMITED');
    const [row] = await sql.rows<{ n: number }>(
      `SELECT cardinality(hits) AS n FROM auth.otp_rate_limits WHERE kind = 'phone-failures' AND subject = $1`,
      [phone],
    );
    expect(row.n).toBe(config.OTP_FAILURE_LIMIT);
    // Only the oldest failure leaves the window: exactly one more check fits.
    await sql.rows(
      `UPDATE auth.otp_rate_limits SET hits[1] = hits[1] - $2::int * interval '1 second' WHERE kind = 'phone-failures' AND subject = $1`,
      [phone, config.OTP_FAILURE_WINDOW_SECONDS],
    );
    expect(await errorCodeOf(verify(owner.challengeId, wrong(owner.code)))).toBe('OTP_INVALID');
    expect(await errorCodeOf(verify(owner.challengeId, owner.code))).toBe('OTP_RATE_LIMITED');
  });

  it('concurrent wrong codes for one phone never pass the limit', async () => {
    const phone = newPhone();
    const challenges = [await start(phone), await start(phone), await start(phone)];
    const guesses = challenges.flatMap((c) => Array.from({ length: config.OTP_MAX_ATTEMPTS }, () => verify(c.challengeId, wrong(c.code))));
    const codes = await Promise.all(guesses.map(errorCodeOf));
    expect(codes.filter((c) => c === 'OTP_INVALID')).toHaveLength(config.OTP_FAILURE_LIMIT);
    expect(codes.filter((c) => c === 'OTP_RATE_LIMITED')).toHaveLength(guesses.length - config.OTP_FAILURE_LIMIT);
  });

  it('after the streak limit of consecutive failures each further check waits longer; a right code ends the streak', async () => {
    const limited = withLimits({ OTP_FAILURE_STREAK_LIMIT: '3', OTP_FAILURE_STREAK_WAIT_SECONDS: '7200' });
    const phone = newPhone();
    const first = await limited.start(phone);
    for (let i = 0; i < 3; i++) expect(await errorCodeOf(limited.verify(first.challengeId, wrong(first.code)))).toBe('OTP_INVALID');
    const refusal = await refusalOf(limited.verify(first.challengeId, first.code));
    expect(refusal.code).toBe('OTP_RATE_LIMITED');
    expect(refusal.retryAfterSeconds).toBeGreaterThan(7200 - 60);
    // The window alone (10 an hour) would allow more: it is the streak that holds the phone.
    await ageHits('phone-failures', phone, 3_600);
    expect(await errorCodeOf(limited.verify(first.challengeId, first.code))).toBe('OTP_RATE_LIMITED');
    await ageHits('phone-failures', phone, 3_600);
    // One check per wait: a wrong one holds the phone for another wait, a right one ends the streak.
    expect(await errorCodeOf(limited.verify(first.challengeId, wrong(first.code)))).toBe('OTP_INVALID');
    expect(await errorCodeOf(limited.verify(first.challengeId, first.code))).toBe('OTP_RATE_LIMITED');
    await ageHits('phone-failures', phone, 7_200);
    expect((await limited.verify(first.challengeId, first.code)).customerId).toBeDefined();
    const second = await limited.start(phone);
    for (let i = 0; i < 2; i++) expect(await errorCodeOf(limited.verify(second.challengeId, wrong(second.code)))).toBe('OTP_INVALID');
  });

  it('limits starts per source address over all phones; an IPv6 source counts by its /64', async () => {
    const limited = withLimits({ OTP_SOURCE_LIMIT: '3' });
    const v4 = `198.51.100.${randomInt(1, 255)}`;
    for (let i = 0; i < 3; i++) await limited.start(newPhone(), v4);
    const phone = newPhone();
    const refusal = await refusalOf(limited.start(phone, v4));
    expect(refusal.code).toBe('OTP_RATE_LIMITED');
    expect(refusal.retryAfterSeconds).toBeGreaterThan(limited.config.OTP_SOURCE_WINDOW_SECONDS - 60);
    // The same client over IPv4-mapped IPv6 is the same source.
    expect(await errorCodeOf(limited.start(phone, `::ffff:${v4}`))).toBe('OTP_RATE_LIMITED');
    // Refused: no challenge, and the phone's own window did not count it.
    expect(await challengesOf(phone)).toBe(0);
    const [phoneStarts] = await sql.rows(`SELECT 1 FROM auth.otp_rate_limits WHERE kind = 'phone-starts' AND subject = $1`, [phone]);
    expect(phoneStarts).toBeUndefined();
    // Another address may.
    await limited.start(phone, `198.51.100.${(Number(v4.split('.')[3]) % 254) + 1}`);

    const prefix = `2001:db8:${randomInt(0, 0xffff).toString(16)}:7`;
    for (const address of [`${prefix}::1`, `${prefix}:ffff::9`, `${prefix}:aaaa:bbbb:cccc:dddd`]) await limited.start(newPhone(), address);
    expect(await errorCodeOf(limited.start(newPhone(), `${prefix}::42`))).toBe('OTP_RATE_LIMITED');
    await limited.start(newPhone(), `${prefix}1::1`);
  });

  it('keeps the whole system within its SMS budget per minute', async () => {
    await sql.rows(`DELETE FROM auth.otp_rate_limits WHERE kind = 'sms'`);
    const limited = withLimits({ OTP_SMS_PER_MINUTE: '3' });
    for (let i = 0; i < 3; i++) await limited.start(newPhone(), `192.0.2.${i + 1}`);
    const phone = newPhone();
    const refusal = await refusalOf(limited.start(phone, '192.0.2.99'));
    expect(refusal.code).toBe('OTP_RATE_LIMITED');
    expect(refusal.retryAfterSeconds).toBeGreaterThan(0);
    expect(refusal.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(await challengesOf(phone)).toBe(0);
    await ageHits('sms', '', 60);
    await limited.start(phone, '192.0.2.99');
  });
});

describe('customers and events', () => {
  it('creates the customer once per phone and publishes customer.registered once', async () => {
    const phone = newPhone();
    const first = await start(phone);
    const a = await verify(first.challengeId, first.code);
    const second = await start(phone);
    const b = await verify(second.challengeId, second.code);
    expect(b.customerId).toBe(a.customerId);
    const [customers] = await sql.rows<{ n: number }>(`SELECT count(*)::int AS n FROM auth.customers WHERE phone = $1`, [phone]);
    expect(customers.n).toBe(1);
    const registered = await outboxEvents('customer.registered', 'customerId', a.customerId);
    expect(registered).toHaveLength(1);
    expect(registered[0].payload.data).toEqual({ customerId: a.customerId, phone });
    expect(await outboxEvents('auth.otp_verified', 'customerId', a.customerId)).toHaveLength(2);
  });

  it('puts the request correlation id in every envelope', async () => {
    const reply = await start(newPhone());
    const verified = await RequestContext.run({ correlationId: 'corr-otp-spec-1' }, () => verify(reply.challengeId, reply.code));
    const [registered] = await outboxEvents('customer.registered', 'customerId', verified.customerId);
    const [otpVerified] = await outboxEvents('auth.otp_verified', 'challengeId', reply.challengeId);
    for (const row of [registered, otpVerified]) {
      expect(row.correlation_id).toBe('corr-otp-spec-1');
      expect(row.payload).toMatchObject({ id: row.id, version: 1, correlationId: 'corr-otp-spec-1' });
    }
    expect(otpVerified.payload.data).toEqual({ challengeId: reply.challengeId, customerId: verified.customerId });

    const locked = await start(newPhone());
    await RequestContext.run({ correlationId: 'corr-otp-spec-2' }, async () => {
      for (let i = 0; i < config.OTP_MAX_ATTEMPTS; i++) await errorCodeOf(verify(locked.challengeId, wrong(locked.code)));
    });
    const [lockedEvent] = await outboxEvents('auth.otp_locked', 'challengeId', locked.challengeId);
    expect(lockedEvent.correlation_id).toBe('corr-otp-spec-2');
  });

  it('commits the use, the customer and the events together, or none of them', async () => {
    const failingTokens = {
      sign: () => Promise.reject(new Error('signing failed')),
    } as unknown as AccessTokenService;
    const failingVerify = new VerifyOtpHandler(sql, moduleRef.get(OtpCodeService), failingTokens, moduleRef.get(OtpLimitsService));
    const phone = newPhone();
    const reply = await start(phone);
    await expect(failingVerify.execute(verifyCmd(reply.challengeId, reply.code))).rejects.toThrow('signing failed');
    const row = await challengeRow(reply.challengeId);
    expect(row.used_at).toBeNull();
    expect(row.customer_id).toBeNull();
    const [customers] = await sql.rows<{ n: number }>(`SELECT count(*)::int AS n FROM auth.customers WHERE phone = $1`, [phone]);
    expect(customers.n).toBe(0);
    expect(await outboxEvents('auth.otp_verified', 'challengeId', reply.challengeId)).toHaveLength(0);
    // Nothing was spent: the same code still works.
    const ok = await verify(reply.challengeId, reply.code);
    expect(await outboxEvents('customer.registered', 'customerId', ok.customerId)).toHaveLength(1);
  });
});

describe('access tokens', () => {
  it('verify returns an EdDSA JWT that verifies with the published public key', async () => {
    const reply = await start(newPhone());
    const login = await verify(reply.challengeId, reply.code);
    expect(login).toMatchObject({ tokenType: 'Bearer', expiresIn: config.ACCESS_TOKEN_TTL_SECONDS });

    const published: GetSigningKeysReply = await queries.execute(new GetSigningKeysQuery());
    expect(published).toMatchObject({ issuer: 'bank-auth', audience: 'bank-api' });
    expect(published.keys).toHaveLength(1);
    expect(JSON.stringify(published)).not.toContain('PRIVATE');
    const [key] = published.keys;
    const header = decodeProtectedHeader(login.accessToken);
    expect(header).toMatchObject({ alg: 'EdDSA', kid: key.kid });

    const { payload } = await jwtVerify(login.accessToken, await importSPKI(key.publicKeyPem, 'EdDSA'), {
      issuer: published.issuer,
      audience: published.audience,
      algorithms: ['EdDSA'],
    });
    expect(payload.sub).toBe(login.customerId);
    expect(payload.exp! - payload.iat!).toBe(config.ACCESS_TOKEN_TTL_SECONDS);
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a token does not verify with another key, another audience or after tampering', async () => {
    const reply = await start(newPhone());
    const { accessToken } = await verify(reply.challengeId, reply.code);
    const published: GetSigningKeysReply = await queries.execute(new GetSigningKeysQuery());
    const key = await importSPKI(published.keys[0].publicKeyPem, 'EdDSA');
    await expect(jwtVerify(accessToken, key, { audience: 'someone-else' })).rejects.toThrow();
    const other = generateKeyPairSync('ed25519').publicKey;
    await expect(jwtVerify(accessToken, other)).rejects.toThrow();
    const [h, p, s] = accessToken.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), sub: 'someone' })).toString(
      'base64url',
    );
    await expect(jwtVerify(`${h}.${forged}.${s}`, key)).rejects.toThrow();
  });

  it('keeps the generated key across restarts', async () => {
    const before = moduleRef.get(SigningKeysService).publicKeys();
    const restarted = new SigningKeysService(sql, config);
    await restarted.onModuleInit();
    expect(restarted.publicKeys()).toEqual(before);
    const [stored] = await sql.rows<{ n: number }>(`SELECT count(*)::int AS n FROM auth.signing_keys`);
    expect(stored.n).toBe(1);
    // A token signed before the restart verifies with the key published after it.
    const reply = await start(newPhone());
    const { accessToken } = await verify(reply.challengeId, reply.code);
    await expect(jwtVerify(accessToken, await importSPKI(restarted.publicKeys()[0].publicKeyPem, 'EdDSA'))).resolves.toBeDefined();
  });

  it('uses AUTH_SIGNING_KEY when configured, and stores nothing', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const withKey = configWith({ AUTH_SIGNING_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() });
    const keys = new SigningKeysService(sql, withKey);
    await keys.onModuleInit();
    const [published] = keys.publicKeys();
    expect(published.kid).toBe(await calculateJwkThumbprint(await exportJWK(publicKey)));
    expect(published.publicKeyPem).toBe(publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const { accessToken } = await new AccessTokenService(keys, withKey).sign('4a8f7c5e-0f4b-4d8e-9a55-7b3c2d1e0f9a');
    const { payload } = await jwtVerify(accessToken, publicKey, { issuer: 'bank-auth', audience: 'bank-api' });
    expect(payload.sub).toBe('4a8f7c5e-0f4b-4d8e-9a55-7b3c2d1e0f9a');
    const [stored] = await sql.rows<{ n: number }>(`SELECT count(*)::int AS n FROM auth.signing_keys WHERE kid = $1`, [published.kid]);
    expect(stored.n).toBe(0);
  });
});

describe('database invariants', () => {
  const insertChallenge = (id: string, phone: string, ttl: string) =>
    sql.rows(
      `INSERT INTO auth.otp_challenges (id, phone, code_hash, max_attempts, expires_at) VALUES ($1, $2, $3, 5, now() + $4::interval)`,
      [id, phone, randomBytes(32), ttl],
    );

  /** The constraint that refused the statement. */
  async function refusedBy(statement: Promise<unknown>): Promise<string | undefined> {
    try {
      await statement;
    } catch (error) {
      return pgConstraint(error);
    }
    throw new Error('expected the database to refuse the statement');
  }

  it('refuses a challenge that lives longer than 5 minutes', async () => {
    expect(await refusedBy(insertChallenge('0b0e8f53-1d4c-4b8e-8f51-3a7c9d2e1f01', newPhone(), '301 seconds'))).toBe(
      'ttl_at_most_five_minutes',
    );
  });

  it('refuses more tries than the maximum', async () => {
    const reply = await start(newPhone());
    const update = sql.rows(`UPDATE auth.otp_challenges SET attempts = max_attempts + 1 WHERE id = $1`, [reply.challengeId]);
    expect(await refusedBy(update)).toBe('attempts_within_max');
  });

  it('refuses using a challenge after its expiry', async () => {
    const reply = await start(newPhone());
    const customerId = '0b0e8f53-1d4c-4b8e-8f51-3a7c9d2e1f04';
    await sql.rows(`INSERT INTO auth.customers (id, phone) VALUES ($1, $2)`, [customerId, newPhone()]);
    const update = sql.rows(`UPDATE auth.otp_challenges SET used_at = expires_at, customer_id = $2 WHERE id = $1`, [
      reply.challengeId,
      customerId,
    ]);
    expect(await refusedBy(update)).toBe('used_before_expiry');
  });
});
