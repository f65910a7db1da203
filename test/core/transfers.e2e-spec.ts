import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { BankClient } from '../support/bank-client.js';
import { eventually } from '@bank/testing';
import { itLocal, startTestSystem, type TestSystem } from '../support/test-system.js';

/**
 * The orchestrated core through the public API: transfers, deposits, statements, idempotency, authorization, bad input.
 * `npm run test:compose` runs this file against the compose stack too (E2E_TARGET): tests that need the
 * run's own database or processes are `itLocal`.
 */
describe('transfers, deposits and statements (real apps, Postgres, RabbitMQ)', () => {
  let system: TestSystem;
  let bank: BankClient;
  let alice: { token: string; customerId: string };
  let bob: { token: string; customerId: string };
  let aliceEur: string;
  let bobEur: string;
  let bobUsd: string;

  beforeAll(async () => {
    system = await startTestSystem({ env: { RPC_TIMEOUT_MS: '1000', SAGA_SYNC_WAIT_MS: '8000' } });
    bank = new BankClient(system);
    alice = await bank.login();
    bob = await bank.login();
    aliceEur = (await bank.openAccount(alice.token, 'EUR')).id;
    bobEur = (await bank.openAccount(bob.token, 'EUR')).id;
    bobUsd = (await bank.openAccount(bob.token, 'USD')).id;
    await bank.deposit(alice.token, aliceEur, 10_000);
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  const auth = (who: { token: string }) => ({ authorization: `Bearer ${who.token}` });
  const transferCount = async () => Number((await system.db.query('SELECT count(*) FROM orchestrator.transfers')).rows[0].count);

  it('moves money: 201 COMPLETED with the saga steps, balances, and a statement from the ledger', async () => {
    const res = await bank
      .transfer(alice.token, { fromAccountId: aliceEur, toAccountId: bobEur, amount: 1250, currency: 'EUR', reference: 'rent' })
      .expect(201);
    expect(res.body).toMatchObject({
      status: 'COMPLETED',
      fromAccountId: aliceEur,
      toAccountId: bobEur,
      amount: 1250,
      currency: 'EUR',
      reference: 'rent',
    });
    expect(res.body.completedAt).toEqual(expect.any(String));
    expect(res.body.steps.filter((s: { status: string }) => s.status === 'SUCCEEDED').map((s: { name: string }) => s.name)).toEqual([
      'RESERVE_FUNDS',
      'POST_LEDGER',
      'COMMIT_FUNDS',
    ]);
    expect(await bank.account(alice.token, aliceEur)).toMatchObject({ balance: 8750, availableBalance: 8750 });
    expect(await bank.account(bob.token, bobEur)).toMatchObject({ balance: 1250, availableBalance: 1250 });

    const statement = await system.api().get(`/accounts/${aliceEur}/statement`).set(auth(alice)).expect(200);
    expect(statement.body).toMatchObject({ accountId: aliceEur, currency: 'EUR', balance: 8750, nextCursor: null });
    expect(statement.body.entries[0]).toMatchObject({ transferId: res.body.id, amount: -1250, balanceAfter: 8750 });
    expect(statement.body.entries[1]).toMatchObject({ amount: 10_000, balanceAfter: 10_000 });

    const seenByBob = await bank.getTransfer(bob.token, res.body.id).expect(200);
    expect(seenByBob.body.status).toBe('COMPLETED');
  });

  let traced: { transferId: string; correlationId: string; eventId: string } | undefined;

  it('shows both halves in the timeline: one event, recorded by audit and handled by each subscriber', async () => {
    const correlationId = `trace-${randomUUID()}`;
    const res = await system
      .api()
      .post('/transfers')
      .set(auth(alice))
      .set('idempotency-key', randomUUID())
      .set('x-correlation-id', correlationId)
      .send({ fromAccountId: aliceEur, toAccountId: bobEur, amount: 5, currency: 'EUR' })
      .expect(201);
    type Entry = { at: string; source: string; what: string; eventId?: string };
    const seen = await eventually(
      () => bank.getTransfer(bob.token, res.body.id),
      (r) =>
        r.body.timeline?.complete === true &&
        ['audit', 'notifications', 'analytics'].every((s) => r.body.timeline.entries.some((e: Entry) => e.source === s)),
    );
    expect(seen.body.timeline.complete).toBe(true);
    const entries = seen.body.timeline.entries as Entry[];
    const sources = entries.map((e) => `${e.source}: ${e.what}`);
    expect(sources).toEqual(
      expect.arrayContaining([
        'saga: COMMIT_FUNDS SUCCEEDED',
        'audit: transfer.completed recorded',
        'notifications: transfer.completed handled',
        'analytics: transfer.completed handled',
      ]),
    );
    expect(entries.map((e) => e.at)).toEqual(entries.map((e) => e.at).sort());
    // One event: audit recorded it, the subscribers' inboxes say when they handled it.
    const choreographed = entries.filter((e) => e.source !== 'saga');
    expect(choreographed).toHaveLength(3);
    const eventId = choreographed[0].eventId!;
    expect(eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(choreographed.map((e) => e.eventId)).toEqual([eventId, eventId, eventId]);
    for (const subscriber of ['notifications', 'analytics']) {
      const handled = await system.http(subscriber).get(`/inbox/${eventId}`).expect(200);
      expect(handled.body).toEqual({ subscriber, eventId, eventType: 'transfer.completed', handledAt: expect.any(String), attempts: 1 });
      expect(entries).toContainEqual({
        at: handled.body.handledAt,
        source: subscriber,
        what: 'transfer.completed handled',
        eventId,
        attempts: 1,
      });
    }
    const audited = await system
      .http('audit')
      .get('/audit/events')
      .query({ transferId: res.body.id, type: 'transfer.completed' })
      .expect(200);
    expect(audited.body[0].correlationId).toBe(correlationId);
    traced = { transferId: res.body.id, correlationId, eventId };
  });

  itLocal('the event is the one the saga published, and one correlation id travels through every app that takes part', async () => {
    const { transferId, correlationId, eventId } = traced!;
    const { rows } = await system.db.query<{ final_event_id: string }>('SELECT final_event_id FROM orchestrator.transfers WHERE id = $1', [
      transferId,
    ]);
    expect(rows[0].final_event_id).toBe(eventId);
    // auth takes no part in a transfer: tokens are verified at the edge with its public key.
    for (const app of ['orchestrator', 'accounts', 'ledger', 'notifications', 'audit', 'analytics']) {
      await eventually(
        () => readFile(system.sys.logFile(app)!, 'utf8'),
        (log) => log.includes(correlationId),
      );
    }
  });

  it('echoes X-Correlation-Id, and makes one when absent', async () => {
    const given = await system.api().get('/accounts').set(auth(alice)).set('x-correlation-id', 'test-corr-123').expect(200);
    expect(given.headers['x-correlation-id']).toBe('test-corr-123');
    const made = await system.api().get('/accounts').set(auth(alice)).expect(200);
    expect(made.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('pages a statement with limit and cursor, newest first', async () => {
    for (let i = 0; i < 3; i++) await bank.deposit(bob.token, bobUsd, 100 + i);
    const first = await system.api().get(`/accounts/${bobUsd}/statement`).query({ limit: 2 }).set(auth(bob)).expect(200);
    expect(first.body.entries.map((e: { amount: number }) => e.amount)).toEqual([102, 101]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await system
      .api()
      .get(`/accounts/${bobUsd}/statement`)
      .query({ limit: 2, cursor: first.body.nextCursor })
      .set(auth(bob))
      .expect(200);
    expect(second.body.entries.map((e: { amount: number }) => e.amount)).toEqual([100]);
    expect(second.body.nextCursor).toBeNull();
    await system.api().get(`/accounts/${bobUsd}/statement`).query({ limit: 1001 }).set(auth(bob)).expect(400);
  });

  describe('business refusals: 422 with transferId, and the transfer is FAILED with its code', () => {
    it.each([
      ['INSUFFICIENT_FUNDS', () => ({ fromAccountId: aliceEur, toAccountId: bobEur, amount: 9_999_999, currency: 'EUR' })],
      ['CURRENCY_MISMATCH', () => ({ fromAccountId: aliceEur, toAccountId: bobUsd, amount: 10, currency: 'EUR' })],
      ['ACCOUNT_NOT_FOUND', () => ({ fromAccountId: aliceEur, toAccountId: randomUUID(), amount: 10, currency: 'EUR' })],
    ])('%s', async (code, body) => {
      const before = await bank.account(alice.token, aliceEur);
      const res = await bank.transfer(alice.token, body()).expect(422);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 422, code, instance: '/transfers' });
      expect(res.body.transferId).toEqual(expect.any(String));
      const failed = await bank.getTransfer(alice.token, res.body.transferId).expect(200);
      expect(failed.body).toMatchObject({ status: 'FAILED', failureCode: code });
      expect(await bank.account(alice.token, aliceEur)).toEqual(before);
    });
  });

  describe('idempotency (IETF idempotency-key draft)', () => {
    const body = () => ({ fromAccountId: aliceEur, toAccountId: bobEur, amount: 7, currency: 'EUR' });

    itLocal('requires the key: 400 and nothing written', async () => {
      const before = await transferCount();
      const res = await system.api().post('/transfers').set(auth(alice)).send(body()).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(await transferCount()).toBe(before);
    });

    it('same key and body: the first response again, and the money moves once', async () => {
      const key = randomUUID();
      const before = await bank.account(alice.token, aliceEur);
      const first = await bank.transfer(alice.token, body(), key).expect(201);
      const again = await bank.transfer(alice.token, body(), key).expect(201);
      expect(again.body).toEqual(first.body);
      expect((await bank.account(alice.token, aliceEur)).balance).toBe(before.balance - 7);
    });

    it('same key, different body: 422 IDEMPOTENCY_KEY_REUSED', async () => {
      const key = randomUUID();
      await bank.transfer(alice.token, body(), key).expect(201);
      const res = await bank.transfer(alice.token, { ...body(), amount: 8 }, key).expect(422);
      expect(res.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    });

    it('keys are scoped to the customer', async () => {
      const key = randomUUID();
      await bank.transfer(alice.token, body(), key).expect(201);
      await bank.deposit(bob.token, bobEur, 50);
      const res = await bank
        .transfer(bob.token, { fromAccountId: bobEur, toAccountId: aliceEur, amount: 7, currency: 'EUR' }, key)
        .expect(201);
      expect(res.body.fromAccountId).toBe(bobEur);
    });

    itLocal('same key while the first is still running: 409 IDEMPOTENCY_IN_PROGRESS, then the first response', async () => {
      const key = randomUUID();
      const ledgerPid = system.sys.pid('ledger')!;
      process.kill(ledgerPid, 'SIGSTOP'); // the ledger hangs: the first request waits on POST_LEDGER
      let first: Promise<{ status: number; body: { id: string } }> | undefined;
      try {
        first = bank.transfer(alice.token, body(), key).then((r) => ({ status: r.status, body: r.body as { id: string } }));
        // Only once the first request has recorded the key is the second one a duplicate.
        await eventually(
          () => system.db.query('SELECT count(*)::int AS n FROM orchestrator.transfers WHERE idempotency_key = $1', [key]),
          (r) => r.rows[0].n === 1,
          { timeoutMs: 5_000 },
        );
        const conflict = await bank.transfer(alice.token, body(), key).expect(409);
        expect(conflict.body.code).toBe('IDEMPOTENCY_IN_PROGRESS');
      } finally {
        process.kill(ledgerPid, 'SIGCONT');
      }
      const answered = await first;
      expect([201, 202]).toContain(answered.status);
      const done = await eventually(
        () => bank.getTransfer(alice.token, answered.body.id),
        (r) => r.body.status === 'COMPLETED',
      );
      const replay = await bank.transfer(alice.token, body(), key);
      expect(replay.body.id).toBe(done.body.id);
      expect([201, 202]).toContain(replay.status);
    });
  });

  describe('authorization', () => {
    it('401 without a token, with a malformed one, and with a forged one', async () => {
      for (const header of [undefined, 'Bearer nope', `Bearer ${alice.token.slice(0, -4)}AAAA`, alice.token]) {
        const req = system.api().get('/accounts');
        const res = await (header ? req.set('authorization', header) : req).expect(401);
        expect(res.body.code).toBe('UNAUTHORIZED');
      }
    });

    itLocal(
      "another customer's account, statement, deposit and transfer look like missing ones (404), and nothing is written",
      async () => {
        const before = await transferCount();
        expect((await system.api().get(`/accounts/${aliceEur}`).set(auth(bob)).expect(404)).body.code).toBe('ACCOUNT_NOT_FOUND');
        await system.api().get(`/accounts/${aliceEur}/statement`).set(auth(bob)).expect(404);
        await system
          .api()
          .post(`/accounts/${aliceEur}/deposits`)
          .set(auth(bob))
          .set('idempotency-key', randomUUID())
          .send({ amount: 5 })
          .expect(404);
        const res = await bank
          .transfer(bob.token, { fromAccountId: aliceEur, toAccountId: bobEur, amount: 1, currency: 'EUR' })
          .expect(404);
        expect(res.body.code).toBe('ACCOUNT_NOT_FOUND');
        expect(await transferCount()).toBe(before);
        const list = await system.api().get('/accounts').set(auth(bob)).expect(200);
        expect(list.body.map((a: { id: string }) => a.id).sort()).toEqual([bobEur, bobUsd].sort());
      },
    );

    it('a stranger cannot see a transfer (404)', async () => {
      const carol = await bank.login();
      const res = await bank
        .transfer(alice.token, { fromAccountId: aliceEur, toAccountId: bobEur, amount: 1, currency: 'EUR' })
        .expect(201);
      expect((await bank.getTransfer(carol.token, res.body.id).expect(404)).body.code).toBe('TRANSFER_NOT_FOUND');
    });
  });

  describe('bad input: 400 VALIDATION_FAILED problem, never 5xx, nothing written', () => {
    const valid = () => ({ fromAccountId: aliceEur, toAccountId: bobEur, amount: 10, currency: 'EUR' });
    const cases: [string, () => unknown][] = [
      ['amount missing', () => ({ ...valid(), amount: undefined })],
      ['amount zero', () => ({ ...valid(), amount: 0 })],
      ['amount negative', () => ({ ...valid(), amount: -5 })],
      ['amount fractional', () => ({ ...valid(), amount: 10.5 })],
      ['amount as string', () => ({ ...valid(), amount: '10' })],
      ['amount above 10^12', () => ({ ...valid(), amount: 1_000_000_000_001 })],
      ['lower-case currency', () => ({ ...valid(), currency: 'eur' })],
      ['bad currency', () => ({ ...valid(), currency: 'EURO' })],
      ['same source and destination', () => ({ ...valid(), toAccountId: aliceEur })],
      ['malformed account id', () => ({ ...valid(), fromAccountId: 'abc' })],
      ['unknown field', () => ({ ...valid(), extra: true })],
      ['reference too long', () => ({ ...valid(), reference: 'x'.repeat(141) })],
      ['array body', () => [valid()]],
    ];
    itLocal.each(cases)('%s', async (_, body) => {
      const before = await transferCount();
      const res = await bank.transfer(alice.token, body() as Record<string, unknown>).expect(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
      expect(await transferCount()).toBe(before);
    });

    it('malformed JSON', async () => {
      const res = await system
        .api()
        .post('/transfers')
        .set(auth(alice))
        .set('idempotency-key', randomUUID())
        .set('content-type', 'application/json')
        .send('{"amount": 1,')
        .expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    });

    it('malformed ids in paths, bad deposit amounts, bad currencies, bad phones, bad OTP bodies', async () => {
      expect((await system.api().get('/accounts/not-a-uuid').set(auth(alice)).expect(400)).body.code).toBe('VALIDATION_FAILED');
      expect((await system.api().get('/transfers/123').set(auth(alice)).expect(400)).body.code).toBe('VALIDATION_FAILED');
      await system
        .api()
        .post(`/accounts/${aliceEur}/deposits`)
        .set(auth(alice))
        .set('idempotency-key', randomUUID())
        .send({ amount: 0 })
        .expect(400);
      await system.api().post(`/accounts/${aliceEur}/deposits`).set(auth(alice)).send({ amount: 5 }).expect(400);
      await system.api().post('/accounts').set(auth(alice)).send({ currency: 'euro' }).expect(400);
      await system.api().post('/auth/otp').send({ phone: '0151 1234' }).expect(400);
      await system.api().post('/auth/otp/verify').send({ challengeId: randomUUID(), code: '12ab56' }).expect(400);
    });

    it('unknown routes are a 404 problem', async () => {
      const res = await system.api().get('/nope').expect(404);
      expect(res.body.code).toBe('NOT_FOUND');
    });
  });

  it('deposits are idempotent by key', async () => {
    const key = randomUUID();
    const before = await bank.account(bob.token, bobEur);
    const send = () => system.api().post(`/accounts/${bobEur}/deposits`).set(auth(bob)).set('idempotency-key', key).send({ amount: 300 });
    const first = await send().expect(201);
    expect(first.body).toMatchObject({ accountId: bobEur, amount: 300, currency: 'EUR', status: 'COMPLETED' });
    const again = await send().expect(201);
    expect(again.body).toEqual(first.body);
    expect((await bank.account(bob.token, bobEur)).balance).toBe(before.balance + 300);
  });

  it('serves OpenAPI at /docs-json with the contract paths', async () => {
    const res = await system.api().get('/docs-json').expect(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining([
        '/auth/otp',
        '/auth/otp/verify',
        '/accounts',
        '/accounts/{id}',
        '/accounts/{id}/deposits',
        '/accounts/{id}/statement',
        '/transfers',
        '/transfers/{id}',
      ]),
    );
    await system.api().get('/docs').expect(200);
  });
});
