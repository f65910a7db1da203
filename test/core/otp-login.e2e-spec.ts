import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { BankClient } from '../support/bank-client.js';
import { eventually } from '@bank/testing';
import { startTestSystem, type TestSystem } from '../support/test-system.js';

/** OTP login, orchestrated (orchestrator -> auth -> notifications -> auth), through the public API. */
describe('OTP login (real apps)', () => {
  let system: TestSystem;
  let bank: BankClient;
  const codesSeen: string[] = [];

  beforeAll(async () => {
    system = await startTestSystem({ env: { OTP_TTL_SECONDS: '2', OTP_RATE_LIMIT: '6' } });
    bank = new BankClient(system);
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  const request = async (phone: string) => {
    const challenge = await bank.requestCode(phone);
    codesSeen.push(challenge.code);
    return challenge;
  };
  const verify = (challengeId: string, code: string) => system.api().post('/auth/otp/verify').send({ challengeId, code });
  const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

  it('sends a 6-digit code in a message with the word "code", and the right code logs in', async () => {
    const phone = BankClient.phone();
    const started = await system.api().post('/auth/otp').send({ phone }).expect(202);
    expect(started.body).toEqual({ challengeId: expect.any(String), expiresAt: expect.any(String) });
    expect(Date.parse(started.body.expiresAt) - Date.now()).toBeLessThanOrEqual(2_000 + 1_000);
    const outbox = await system.http('notifications').get('/outbox').query({ recipient: phone }).expect(200);
    expect(outbox.body[0]).toMatchObject({ recipient: phone, channel: 'sms', body: expect.stringMatching(/code/i) });
    const code = /\b(\d{6})\b/.exec(outbox.body[0].body)![1];
    codesSeen.push(code);
    const ok = await verify(started.body.challengeId, code).expect(200);
    expect(ok.body).toMatchObject({
      tokenType: 'Bearer',
      accessToken: expect.any(String),
      expiresIn: expect.any(Number),
      customerId: expect.any(String),
    });
    await system.api().get('/accounts').set('authorization', `Bearer ${ok.body.accessToken}`).expect(200);
  });

  it('the same phone is the same customer next time', async () => {
    const phone = BankClient.phone();
    const first = await bank.login(phone);
    const second = await bank.login(phone);
    expect(second.customerId).toBe(first.customerId);
  });

  it('wrong code: 401 OTP_INVALID; a used code is never accepted again', async () => {
    const { challengeId, code } = await request(BankClient.phone());
    expect((await verify(challengeId, wrong(code)).expect(401)).body.code).toBe('OTP_INVALID');
    await verify(challengeId, code).expect(200);
    expect((await verify(challengeId, code).expect(401)).body.code).toBe('OTP_INVALID');
  });

  it('after 5 wrong tries the challenge is dead: 429 OTP_LOCKED even for the right code', async () => {
    const { challengeId, code } = await request(BankClient.phone());
    for (let i = 0; i < 5; i++) expect((await verify(challengeId, wrong(code))).status).toBe(401);
    expect((await verify(challengeId, code).expect(429)).body.code).toBe('OTP_LOCKED');
  });

  it('asking again buys no more guesses: wrong codes count per phone, across its challenges', async () => {
    const phone = BankClient.phone();
    const first = await request(phone);
    for (let i = 0; i < 5; i++) await verify(first.challengeId, wrong(first.code)).expect(401);
    const again = await request(phone);
    expect(again.challengeId).not.toBe(first.challengeId);
    for (let i = 0; i < 5; i++) await verify(again.challengeId, wrong(again.code)).expect(401);
    // Ten wrong codes for the phone: the third challenge is not even handed out.
    const third = await system.api().post('/auth/otp').send({ phone }).expect(429);
    expect(third.body.code).toBe('OTP_RATE_LIMITED');
    expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('a resend is a second message with a challenge of its own; each code logs in on its own challenge', async () => {
    const phone = BankClient.phone();
    const first = await request(phone);
    const resent = await request(phone);
    expect(resent.challengeId).not.toBe(first.challengeId);
    const outbox = await system.http('notifications').get('/outbox').query({ recipient: phone }).expect(200);
    expect(outbox.body).toHaveLength(2);
    expect(outbox.body[0].body).toContain(resent.code);
    await verify(first.challengeId, first.code).expect(200);
    await verify(resent.challengeId, resent.code).expect(200);
  });

  it('an expired code: 401 OTP_EXPIRED', async () => {
    const { challengeId, code, expiresAt } = await request(BankClient.phone());
    await eventually(
      () => Promise.resolve(Date.now()),
      (now) => now > Date.parse(expiresAt) + 100,
      { timeoutMs: 5_000 },
    );
    expect((await verify(challengeId, code).expect(401)).body.code).toBe('OTP_EXPIRED');
  });

  it('rate-limits code requests per phone (429 OTP_RATE_LIMITED)', async () => {
    const phone = BankClient.phone();
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await system.api().post('/auth/otp').send({ phone })).status);
    expect(statuses.slice(0, 6)).toEqual([202, 202, 202, 202, 202, 202]);
    expect(statuses.slice(6)).toEqual([429, 429]);
    const refused = await system.api().post('/auth/otp').send({ phone }).expect(429);
    expect(refused.body).toMatchObject({ code: 'OTP_RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
    expect(refused.headers['retry-after']).toBe(String(refused.body.retryAfterSeconds));
  });

  it('an unknown challenge is refused without a token', async () => {
    const res = await verify(randomUUID(), '123456');
    expect([401, 404]).toContain(res.status);
    expect(res.body.accessToken).toBeUndefined();
  });

  it('never writes a code or a token to any log', async () => {
    const tokens = [(await bank.login()).token];
    for (const app of system.sys.apps) {
      const file = system.sys.logFile(app);
      if (!file) continue;
      const log = await readFile(file, 'utf8');
      // A code standing alone (not inside a uuid or a longer number) would be a leak.
      for (const code of codesSeen) expect(new RegExp(`(?<![0-9A-Za-z])${code}(?![0-9A-Za-z])`).test(log)).toBe(false);
      for (const token of tokens) expect(log.includes(token)).toBe(false);
    }
    expect(codesSeen.length).toBeGreaterThan(5);
  });
});
