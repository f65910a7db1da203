import { randomInt } from 'node:crypto';
import type { Response } from 'supertest';
import { BankClient } from '../support/bank-client.js';
import { eventually } from '@bank/testing';
import { startTestSystem, type TestSystem } from '../support/test-system.js';

/**
 * The OTP abuse limits from outside, as an attacker and a careless client meet them. The failure
 * window is shortened to seconds by configuration so that "an hour" fits in a test; every other
 * number is the default unless set below. The orchestrator trusts loopback as its proxy, so each test
 * speaks from an address of its own through X-Forwarded-For (documentation ranges, RFC 5737).
 */
const WINDOW_SECONDS = 6;
const FAILURE_LIMIT = 10;
const SOURCE_LIMIT = 4;
const SMS_PER_MINUTE = 40;

describe('OTP abuse limits (real apps)', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await startTestSystem({
      apps: ['auth', 'notifications', 'orchestrator'],
      env: {
        TRUST_PROXY: 'loopback',
        OTP_FAILURE_WINDOW_SECONDS: String(WINDOW_SECONDS),
        // The attacker below asks for codes across two windows; the per-phone start limit is not what this file is about.
        OTP_RATE_LIMIT: '20',
        OTP_SOURCE_LIMIT: String(SOURCE_LIMIT),
        OTP_SMS_PER_MINUTE: String(SMS_PER_MINUTE),
      },
    });
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  let nextHost = 1;
  /** A client address of its own (each test's requests count against their own source). */
  const newSource = () => `198.51.100.${nextHost++}`;

  const requestCode = (phone: string, source: string) => system.api().post('/auth/otp').set('x-forwarded-for', source).send({ phone });
  const verify = (challengeId: string, code: string, source: string) =>
    system.api().post('/auth/otp/verify').set('x-forwarded-for', source).send({ challengeId, code });
  const randomCode = () => String(randomInt(0, 1_000_000)).padStart(6, '0');
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** The newest code sent to the phone, as its owner reads it. */
  async function newestCode(phone: string): Promise<string> {
    const outbox = await system.http('notifications').get('/outbox').query({ recipient: phone }).expect(200);
    return /\b(\d{6})\b/.exec((outbox.body as { body: string }[])[0].body)![1];
  }

  /** A 429 that says which limit and when to come back, in the header and the problem. */
  function expectRateLimited(res: Response, maxSeconds: number): number {
    expect(res.status).toBe(429);
    expect(res.body).toMatchObject({ code: 'OTP_RATE_LIMITED', status: 429, retryAfterSeconds: expect.any(Number) });
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    const seconds = Number(res.headers['retry-after']);
    expect(seconds).toBe(res.body.retryAfterSeconds);
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(maxSeconds);
    return seconds;
  }

  it('a script that knows only a phone number gets at most 10 code checks per window, and only 429s with Retry-After besides', async () => {
    const phone = BankClient.phone();
    // It even changes address for every new code: the limit counts the phone, wherever the guesses come from.
    let source = newSource();
    const checks: number[] = [];
    let refused = 0;
    let challengeId: string | undefined;
    const attackEnds = Date.now() + 2 * WINDOW_SECONDS * 1_000 + 500;
    while (Date.now() < attackEnds) {
      if (!challengeId) {
        const started = await requestCode(phone, source);
        if (started.status === 202) {
          challengeId = started.body.challengeId as string;
          source = newSource();
        } else {
          expectRateLimited(started, WINDOW_SECONDS);
          refused++;
          await sleep(25);
        }
        continue;
      }
      const res = await verify(challengeId, randomCode(), source);
      if (res.status === 401) checks.push(Date.now());
      else if (res.status === 429 && res.body.code === 'OTP_LOCKED') challengeId = undefined;
      else {
        expectRateLimited(res, WINDOW_SECONDS);
        refused++;
        await sleep(25);
      }
    }
    // It kept trying all along: both windows gave it their 10, and nothing more.
    expect(refused).toBeGreaterThan(10);
    expect(checks.length).toBeGreaterThanOrEqual(FAILURE_LIMIT);
    expect(checks.length).toBeLessThanOrEqual(3 * FAILURE_LIMIT);
    // No stretch of one window (less the replies' travel time) holds more than 10 checks.
    for (const [i, from] of checks.entries()) {
      const within = checks.slice(i).filter((t) => t < from + WINDOW_SECONDS * 1_000 - 500);
      expect(within.length).toBeLessThanOrEqual(FAILURE_LIMIT);
    }
  }, 60_000);

  it('someone who spends the phone’s wrong codes cannot keep its owner out for longer than the window', async () => {
    const phone = BankClient.phone();
    const attacker = newSource();
    const attackStarted = Date.now();
    const dead: string[] = [];
    for (let spent = 0; spent < FAILURE_LIMIT;) {
      const started = await requestCode(phone, attacker).expect(202);
      for (let i = 0; i < 5 && spent < FAILURE_LIMIT; i++, spent++)
        await verify(started.body.challengeId, randomCode(), attacker).expect(401);
      dead.push(started.body.challengeId as string);
    }
    // The owner is held now, and told for how long: never more than the window.
    const owner = newSource();
    const told = expectRateLimited(await requestCode(phone, owner), WINDOW_SECONDS);
    // The attacker keeps at it; refused requests are not counted, so they do not stretch the wait.
    const hammerUntil = Date.now() + 1_500;
    while (Date.now() < hammerUntil) {
      expectRateLimited(await requestCode(phone, attacker), WINDOW_SECONDS);
      expectRateLimited(await verify(dead[0], randomCode(), attacker), WINDOW_SECONDS);
    }
    // The owner comes back when told and logs in.
    const started = await eventually(
      () => requestCode(phone, owner),
      (res) => res.status === 202,
      { timeoutMs: told * 1_000 + 2_000, intervalMs: 250 },
    );
    const ok = await verify(started.body.challengeId, await newestCode(phone), owner).expect(200);
    expect(ok.body.customerId).toEqual(expect.any(String));
    expect(Date.now() - attackStarted).toBeLessThan(WINDOW_SECONDS * 1_000 + 2_500);
  }, 60_000);

  it('a second requester gets a challenge of its own, never the one the owner is answering', async () => {
    const phone = BankClient.phone();
    const owner = await requestCode(phone, newSource()).expect(202);
    const ownerCode = await newestCode(phone);
    const other = await requestCode(phone, newSource()).expect(202);
    expect(Object.keys(other.body).sort()).toEqual(['challengeId', 'expiresAt']);
    expect(other.body.challengeId).not.toBe(owner.body.challengeId);
    // The other requester's wrong codes do not touch the owner's challenge: all five of its tries are still there.
    for (let i = 0; i < 5; i++) await verify(other.body.challengeId, randomCode(), newSource()).expect(401);
    await verify(other.body.challengeId, randomCode(), newSource()).expect(429);
    await verify(owner.body.challengeId, ownerCode, newSource()).expect(200);
  });

  it('many phones from one source hit the per-source limit; another source is not held', async () => {
    const source = newSource();
    for (let i = 0; i < SOURCE_LIMIT; i++) await requestCode(BankClient.phone(), source).expect(202);
    const phone = BankClient.phone();
    const refused = await requestCode(phone, source);
    expectRateLimited(refused, 600);
    expect(refused.body.detail).toMatch(/address/);
    // Nothing was sent for the refused request.
    const outbox = await system.http('notifications').get('/outbox').query({ recipient: phone }).expect(200);
    expect(outbox.body).toEqual([]);
    await requestCode(phone, newSource()).expect(202);
  });

  it('keeps within the SMS budget per minute, whatever the phones and sources', async () => {
    const statuses: Response[] = [];
    for (let i = 0; i <= SMS_PER_MINUTE; i++) {
      const res = await requestCode(BankClient.phone(), newSource());
      statuses.push(res);
      if (res.status === 429) break;
    }
    const refused = statuses.at(-1)!;
    expectRateLimited(refused, 60);
    expect(refused.body.detail).toMatch(/codes sent/);
    expect(statuses.slice(0, -1).every((res) => res.status === 202)).toBe(true);
  });
});
