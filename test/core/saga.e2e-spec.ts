import { randomUUID } from 'node:crypto';
import { BankClient } from '../support/bank-client.js';
import { expectInvariants } from '../support/invariants.js';
import { eventually } from '@bank/testing';
import { startTestSystem, type TestSystem } from '../support/test-system.js';

/** The saga under failure: compensation, crash recovery, and many transfers at once. */
describe('transfer saga: compensation, crash recovery, concurrency', () => {
  let system: TestSystem;
  let bank: BankClient;

  beforeAll(async () => {
    system = await startTestSystem({
      env: {
        // One call (2 x 1400 ms + a pause) ends within the lease: boot refuses settings where it cannot.
        RPC_TIMEOUT_MS: '1400',
        RPC_RETRIES: '1',
        SAGA_LEASE_MS: '3000',
        SAGA_RECOVERY_INTERVAL_MS: '200',
        SAGA_STEP_BUDGET_MS: '4000',
        SAGA_MAX_BACKOFF_MS: '400',
        SAGA_SYNC_WAIT_MS: '5000',
      },
    });
    bank = new BankClient(system);
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  const stepNames = (steps: { name: string; status: string }[]) => steps.map((s) => `${s.name}:${s.status}`);

  it('compensates when the ledger step keeps failing: hold released, nothing booked, FAILED', async () => {
    const alice = await bank.customerWithMoney(1_000);
    const bob = await bank.customerWithMoney(0);
    await system.sys.kill('ledger');
    const key = randomUUID();
    const body = { fromAccountId: alice.account, toAccountId: bob.account, amount: 400, currency: 'EUR' };
    const accepted = await bank.transfer(alice.token, body, key).expect(202);
    expect(accepted.body.status).toBe('PENDING');
    expect(accepted.headers.location).toBe(`/transfers/${accepted.body.id}`);
    // The hold is on while the saga retries, then gives up and waits to reverse the (unknown) posting.
    expect(await bank.account(alice.token, alice.account)).toMatchObject({ balance: 1_000, availableBalance: 600 });
    await eventually(
      () => bank.getTransfer(alice.token, accepted.body.id),
      (r) => stepNames(r.body.steps).includes('REVERSE_LEDGER:STARTED'),
    );
    await system.sys.start('ledger');
    const failed = await eventually(
      () => bank.getTransfer(alice.token, accepted.body.id),
      (r) => r.body.status !== 'PENDING',
    );
    expect(failed.body.status).toBe('FAILED');
    expect(failed.body.failureCode).toMatch(/SERVICE_UNAVAILABLE|DEPENDENCY_TIMEOUT/);
    expect(stepNames(failed.body.steps)).toEqual(
      expect.arrayContaining(['POST_LEDGER:FAILED', 'REVERSE_LEDGER:SUCCEEDED', 'RELEASE_FUNDS:SUCCEEDED']),
    );
    expect(await bank.account(alice.token, alice.account)).toMatchObject({ balance: 1_000, availableBalance: 1_000 });
    expect(await bank.account(bob.token, bob.account)).toMatchObject({ balance: 0 });
    const statement = await system.api().get(`/accounts/${bob.account}/statement`).set('authorization', `Bearer ${bob.token}`).expect(200);
    expect(statement.body.entries).toEqual([]);
    // A replay of the key gets the transfer's current state, never a transient 503, and starts nothing.
    const replayed = await bank.transfer(alice.token, body, key);
    expect({ status: replayed.status, body: replayed.body as unknown }).toMatchObject({
      status: 200,
      body: { id: accepted.body.id, status: 'FAILED', failureCode: failed.body.failureCode },
    });
    await expectInvariants(system);
  });

  it('resumes a saga after the orchestrator is killed between steps (the ledger booked, the orchestrator never heard)', async () => {
    const alice = await bank.customerWithMoney(1_000);
    const bob = await bank.customerWithMoney(0);
    const ledgerPid = system.sys.pid('ledger')!;
    process.kill(ledgerPid, 'SIGSTOP'); // POST_LEDGER will hang in flight
    const key = randomUUID();
    const inFlight = bank
      .transfer(alice.token, { fromAccountId: alice.account, toAccountId: bob.account, amount: 250, currency: 'EUR' }, key)
      .then(
        (r) => r.status,
        () => 'connection lost',
      );
    const [row] = (
      await eventually(
        () => system.db.query(`SELECT id, steps FROM orchestrator.transfers WHERE idempotency_key = $1`, [key]),
        (r) => r.rows.length === 1 && JSON.stringify(r.rows[0].steps).includes('"POST_LEDGER","status":"STARTED"'),
      )
    ).rows;
    await system.sys.kill('orchestrator');
    process.kill(ledgerPid, 'SIGCONT'); // the ledger now books the posting nobody will hear about
    expect(await inFlight).toBe('connection lost');
    await system.sys.start('orchestrator');
    const done = await eventually(
      () => bank.getTransfer(alice.token, row.id as string),
      (r) => r.body.status !== 'PENDING',
    );
    expect(done.body.status).toBe('COMPLETED');
    expect(await bank.account(alice.token, alice.account)).toMatchObject({ balance: 750, availableBalance: 750 });
    expect(await bank.account(bob.token, bob.account)).toMatchObject({ balance: 250, availableBalance: 250 });
    // The replayed key answers with the finished transfer.
    const replay = await bank
      .transfer(alice.token, { fromAccountId: alice.account, toAccountId: bob.account, amount: 250, currency: 'EUR' }, key)
      .expect(201);
    expect(replay.body.id).toBe(row.id);
    await expectInvariants(system);
  });

  it('conserves money under 240 concurrent transfers over 4 accounts (no negative balance, ledger == accounts)', async () => {
    const people = await Promise.all([0, 1, 2, 3].map(() => bank.customerWithMoney(5_000)));
    const outcomes = await Promise.all(
      Array.from({ length: 240 }, (_, i) => {
        const from = people[i % 4];
        const to = people[(i + 1 + (i % 3)) % 4];
        const amount = 1 + ((i * 7919) % 900);
        return bank
          .transfer(from.token, { fromAccountId: from.account, toAccountId: to.account, amount, currency: 'EUR' })
          .then((r) => ({ status: r.status, body: r.body }));
      }),
    );
    // 503: a step that timed out past its budget on this busy 2-core machine; the saga compensated it.
    const unexpected = outcomes.filter(
      (o) => ![201, 202, 422].includes(o.status) && !(o.status === 503 && o.body.code === 'SERVICE_UNAVAILABLE'),
    );
    expect(unexpected).toEqual([]);
    for (const compensated of outcomes.filter((o) => o.status === 503)) {
      const seen = await system.db.query(`SELECT status FROM orchestrator.transfers WHERE id = $1`, [compensated.body.transferId]);
      expect(seen.rows[0].status).toBe('FAILED');
    }
    for (const refused of outcomes.filter((o) => o.status === 422)) expect(refused.body.code).toBe('INSUFFICIENT_FUNDS');
    await eventually(
      () => system.db.query(`SELECT count(*)::int AS n FROM orchestrator.transfers WHERE status = 'PENDING'`),
      (r) => r.rows[0].n === 0,
      { timeoutMs: 30_000 },
    );
    const report = await expectInvariants(system);
    const balances = await Promise.all(people.map((p) => bank.account(p.token, p.account)));
    expect(balances.reduce((sum, b) => sum + b.balance, 0)).toBe(20_000);
    expect(report.totalBalance).toBe(report.totalDeposited);
  }, 90_000);

  it('recovers every saga after kill -9 of the orchestrator in the middle of a burst', async () => {
    const people = await Promise.all([0, 1, 2].map(() => bank.customerWithMoney(3_000)));
    const burst = Promise.all(
      Array.from({ length: 90 }, (_, i) => {
        const from = people[i % 3];
        const to = people[(i + 1) % 3];
        return bank.transfer(from.token, { fromAccountId: from.account, toAccountId: to.account, amount: 10 + i, currency: 'EUR' }).then(
          (r) => r.status,
          () => 0,
        );
      }),
    );
    await eventually(
      () => system.db.query(`SELECT count(*)::int AS n FROM orchestrator.transfers`),
      (r) => r.rows[0].n > 20,
    );
    await system.sys.kill('orchestrator');
    await burst;
    await system.sys.start('orchestrator');
    await eventually(
      () => system.db.query(`SELECT count(*)::int AS n FROM orchestrator.transfers WHERE status = 'PENDING'`),
      (r) => r.rows[0].n === 0,
      { timeoutMs: 30_000 },
    );
    const stuck = await system.db.query(`SELECT count(*)::int AS n FROM orchestrator.transfers WHERE status = 'NEEDS_ATTENTION'`);
    expect(stuck.rows[0].n).toBe(0);
    await expectInvariants(system);
  }, 90_000);
});
