// Customers, accounts and money for the load, made through the public API the way a client does:
// OTP login (the code read from the notifications dev outbox), POST /accounts, deposits.
import { randomInt, randomUUID } from 'node:crypto';
import { keepAliveAgent, mapLimit, send, sendExpect, sleep } from './http-client.mjs';

/** A fresh German mobile number in E.164; unique within the run (the OTP rate limit is per phone). */
function phoneFactory() {
  const used = new Set();
  return () => {
    for (;;) {
      const phone = `+4915${String(randomInt(0, 1_000_000_000)).padStart(9, '0')}`;
      if (!used.has(phone)) {
        used.add(phone);
        return phone;
      }
    }
  };
}

/** The code in the newest message to `phone` (a fresh number, so it is the code just sent); polls briefly. */
async function readCode(urls, agent, phone) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await send(urls.notifications, { path: `/outbox?recipient=${encodeURIComponent(phone)}`, agent });
    if (res.status === 200 && Array.isArray(res.body)) {
      const code = /\b(\d{6})\b/.exec(res.body[0]?.body ?? '')?.[1];
      if (code) return code;
    }
    if (Date.now() > deadline)
      throw new Error(`no OTP for ${phone} in the dev outbox (GET /outbox: ${res.status} ${res.text?.slice(0, 200) ?? res.error})`);
    await sleep(50);
  }
}

/**
 * Every login comes from this one address: the system must allow that many code requests from one
 * source and per minute. start:all's settings do (OTP_SOURCE_LIMIT and OTP_SMS_PER_MINUTE, see
 * systemEnv() in scripts/lib/system.mjs); a system on auth's production defaults answers the 31st with 429.
 */
export async function login(urls, agent, phone) {
  const started = await sendExpect(urls.orchestrator, 202, { method: 'POST', path: '/auth/otp', body: { phone }, agent });
  const code = await readCode(urls, agent, phone);
  const verified = await sendExpect(urls.orchestrator, 200, {
    method: 'POST',
    path: '/auth/otp/verify',
    body: { challengeId: started.body.challengeId, code },
    agent,
  });
  return { phone, token: verified.body.accessToken, customerId: verified.body.customerId };
}

/**
 * `count` customers with one EUR account each, every account funded with `deposit`.
 * Returns `[{ phone, token, customerId, accountId, deposited }]`.
 */
export async function createParticipants({ urls, count, deposit, concurrency, onProgress = () => {} }) {
  const agent = keepAliveAgent(concurrency);
  const nextPhone = phoneFactory();
  let done = 0;
  try {
    return await mapLimit(Array.from({ length: count }), concurrency, async () => {
      const who = await login(urls, agent, nextPhone());
      const auth = { authorization: `Bearer ${who.token}` };
      const account = await sendExpect(urls.orchestrator, 201, {
        method: 'POST',
        path: '/accounts',
        headers: auth,
        body: { currency: 'EUR' },
        agent,
      });
      await sendExpect(urls.orchestrator, 201, {
        method: 'POST',
        path: `/accounts/${account.body.id}/deposits`,
        headers: { ...auth, 'idempotency-key': randomUUID() },
        body: { amount: deposit },
        agent,
      });
      onProgress(++done, count);
      return { ...who, accountId: account.body.id, deposited: deposit };
    });
  } finally {
    agent.destroy();
  }
}
