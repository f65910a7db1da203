import { randomUUID } from 'node:crypto';
import { BankClient } from '../support/bank-client.js';
import { eventually } from '@bank/testing';
import { startTestSystem, type TestSystem } from '../support/test-system.js';
import { expectConsistent, FAST_RECOVERY_ENV } from './support/consistency.js';
import { fundedParticipants, TransferLoad, type Participant } from './support/transfer-load.js';

/**
 * The same Idempotency-Key from many clients at once (a client that retries on a timeout while
 * its first request is still running, or several replicas of one client): exactly one transfer or
 * deposit happens, and every answer is either that one or "still in progress".
 */
describe('faults: one Idempotency-Key from many clients at once', () => {
  let system: TestSystem;
  let bank: BankClient;
  let people: Participant[];
  let payer: Participant;
  let payee: Participant;

  beforeAll(async () => {
    system = await startTestSystem({ env: FAST_RECOVERY_ENV });
    bank = new BankClient(system);
    people = await fundedParticipants(bank, 6, 1_000_000);
    [payer, payee] = [people[0], people[1]];
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  const rowsForKey = async (table: 'transfers' | 'deposits', customerId: string, key: string) =>
    (
      await system.db.query<{ id: string; amount: number; status: string }>(
        `SELECT id, amount::int AS amount, status FROM orchestrator.${table} WHERE customer_id = $1 AND idempotency_key = $2`,
        [customerId, key],
      )
    ).rows;

  const settle = () =>
    eventually(
      () => system.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM orchestrator.transfers WHERE status = 'PENDING'`),
      (r) => r.rows[0].n === 0,
      { timeoutMs: 60_000 },
    );

  it('same key and body from 12 clients at once, for 5 keys, beside other traffic: one transfer per key', async () => {
    const others = new TransferLoad(system, people.slice(2), { workers: 2 }).start();
    const before = await bank.account(payer.token, payer.account);
    const keys = Array.from({ length: 5 }, (_, i) => ({ key: randomUUID(), amount: 100 + i }));
    let answers: { key: string; status: number; body: { id?: string; code?: string; status?: string } }[];
    try {
      answers = (
        await Promise.all(
          keys.flatMap(({ key, amount }) =>
            Array.from({ length: 12 }, () =>
              bank
                .transfer(payer.token, { fromAccountId: payer.account, toAccountId: payee.account, amount, currency: 'EUR' }, key)
                .then((r) => ({ key, status: r.status, body: r.body as { id?: string; code?: string; status?: string } })),
            ),
          ),
        )
      ).flat();
    } finally {
      await others.stop();
    }
    for (const { key, amount } of keys) {
      const mine = answers.filter((a) => a.key === key);
      const rows = await rowsForKey('transfers', payer.customerId, key);
      expect(rows).toHaveLength(1);
      expect(rows[0].amount).toBe(amount);
      // Each answer is the one transfer (201/202) or "the first is still running" (409).
      expect(mine.map((a) => a.status).filter((s) => ![201, 202, 409].includes(s))).toEqual([]);
      expect(mine.some((a) => a.status === 201 || a.status === 202)).toBe(true);
      for (const a of mine.filter((x) => x.status === 201 || x.status === 202)) expect(a.body.id).toBe(rows[0].id);
      for (const a of mine.filter((x) => x.status === 409)) expect(a.body.code).toBe('IDEMPOTENCY_IN_PROGRESS');
    }
    await settle();
    // Replays after the fact: the same transfer, never a new one.
    for (const { key, amount } of keys) {
      const replay = await bank
        .transfer(payer.token, { fromAccountId: payer.account, toAccountId: payee.account, amount, currency: 'EUR' }, key)
        .expect(201);
      expect((replay.body as { id: string }).id).toBe((await rowsForKey('transfers', payer.customerId, key))[0].id);
    }
    const moved = keys.reduce((sum, k) => sum + k.amount, 0);
    // The other traffic runs between other accounts, so the payer's balance moved by these five only.
    expect((await bank.account(payer.token, payer.account)).balance).toBe(before.balance - moved);
    await expectConsistent(system, others);
  }, 180_000);

  it('same key, different bodies from 10 clients at once: exactly one of them happens', async () => {
    const key = randomUUID();
    const before = await bank.account(payer.token, payer.account);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        bank
          .transfer(payer.token, { fromAccountId: payer.account, toAccountId: payee.account, amount: 1000 + i, currency: 'EUR' }, key)
          .then((r) => ({ amount: 1000 + i, status: r.status, body: r.body as { id?: string; code?: string } })),
      ),
    );
    const rows = await rowsForKey('transfers', payer.customerId, key);
    expect(rows).toHaveLength(1);
    const winners = answers.filter((a) => a.status === 201 || a.status === 202);
    expect(winners.length).toBeGreaterThanOrEqual(1);
    // Only the request whose body was stored may be answered with the transfer.
    for (const w of winners) {
      expect(w.amount).toBe(rows[0].amount);
      expect(w.body.id).toBe(rows[0].id);
    }
    for (const loser of answers.filter((a) => a.amount !== rows[0].amount)) {
      expect([409, 422]).toContain(loser.status);
      expect(['IDEMPOTENCY_IN_PROGRESS', 'IDEMPOTENCY_KEY_REUSED']).toContain(loser.body.code);
    }
    await settle();
    expect((await bank.account(payer.token, payer.account)).balance).toBe(before.balance - rows[0].amount);
    await expectConsistent(system);
  }, 120_000);

  it('the same deposit key from 10 clients at once: credited once', async () => {
    const key = randomUUID();
    const before = await bank.account(payee.token, payee.account);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        system
          .api()
          .post(`/accounts/${payee.account}/deposits`)
          .set('authorization', `Bearer ${payee.token}`)
          .set('idempotency-key', key)
          .send({ amount: 777 })
          .then((r) => ({ status: r.status, body: r.body as { id?: string; code?: string } })),
      ),
    );
    const rows = await rowsForKey('deposits', payee.customerId, key);
    expect(rows).toHaveLength(1);
    expect(answers.map((a) => a.status).filter((s) => ![201, 202, 409].includes(s))).toEqual([]);
    for (const a of answers.filter((x) => x.status === 201)) expect(a.body.id).toBe(rows[0].id);
    await eventually(
      () => bank.account(payee.token, payee.account),
      (a) => a.balance === before.balance + 777,
    );
    const { rows: credited } = await system.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM accounts.deposits WHERE deposit_id = $1`,
      [rows[0].id],
    );
    expect(credited[0].n).toBe(1);
    await expectConsistent(system);
  }, 120_000);
});
