import { randomUUID } from 'node:crypto';
import { BankClient } from '../support/bank-client.js';
import { eventually } from '@bank/testing';
import { startTestSystem, type TestSystem } from '../support/test-system.js';

const CAP = Number.MAX_SAFE_INTEGER;

/**
 * Inputs that pass the schema but once ended in a 5xx or a state that never ends: ids in another
 * letter case, control characters and lone surrogates in free text, balances at the cap; and the
 * per-customer limits of accounts (how many, and GET /accounts in pages).
 */
describe('abuse limits at the edge: every accepted input ends in a 2xx or a coded 4xx', () => {
  let system: TestSystem;
  let bank: BankClient;

  beforeAll(async () => {
    system = await startTestSystem({ env: { ACCOUNTS_MAX_PER_CUSTOMER: '3', SAGA_SYNC_WAIT_MS: '8000' } });
    bank = new BankClient(system);
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  /** Puts an account near the cap in both accounts and ledger (no deposit of 10^12 at a time gets there in a test's time). */
  async function setBalance(accountId: string, balance: number): Promise<void> {
    await system.db.query(`UPDATE accounts.accounts SET balance = $2, available_balance = $2 WHERE id = $1`, [accountId, String(balance)]);
    await system.db.query(
      `INSERT INTO ledger.balances (account_id, currency, balance) VALUES ($1, 'EUR', $2)
       ON CONFLICT (account_id) DO UPDATE SET balance = EXCLUDED.balance`,
      [accountId, String(balance)],
    );
  }

  async function counts() {
    const { rows } = await system.db.query(`
      SELECT (SELECT count(*) FROM orchestrator.transfers) AS transfers,
             (SELECT count(*) FROM accounts.holds) AS holds,
             (SELECT count(*) FROM accounts.accounts) AS accounts,
             (SELECT count(*) FROM accounts.outbox) AS accounts_outbox,
             (SELECT count(*) FROM ledger.postings) AS postings`);
    return rows[0] as Record<string, string>;
  }

  describe('ids in any letter case', () => {
    it('a transfer from an account to itself in another letter case is a 400, and nothing is written', async () => {
      const alice = await bank.customerWithMoney(1_000);
      const before = await counts();
      const res = await bank.transfer(alice.token, {
        fromAccountId: alice.account,
        toAccountId: alice.account.toUpperCase(),
        amount: 10,
        currency: 'EUR',
      });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(await counts()).toEqual(before);
    });

    it('upper-case ids in bodies and paths work and are answered in lower case', async () => {
      const alice = await bank.customerWithMoney(1_000);
      const bob = await bank.customerWithMoney(0);
      const res = await bank
        .transfer(alice.token, {
          fromAccountId: alice.account.toUpperCase(),
          toAccountId: bob.account.toUpperCase(),
          amount: 10,
          currency: 'EUR',
        })
        .expect(201);
      expect(res.body).toMatchObject({ fromAccountId: alice.account, toAccountId: bob.account, status: 'COMPLETED' });
      const got = await system
        .api()
        .get(`/accounts/${alice.account.toUpperCase()}`)
        .set('authorization', `Bearer ${alice.token}`)
        .expect(200);
      expect(got.body).toMatchObject({ id: alice.account, balance: 990 });
      await bank.getTransfer(alice.token, String(res.body.id).toUpperCase()).expect(200);
    });
  });

  describe('free text', () => {
    it.each([
      ['NUL', 'rent\u0000'],
      ['a newline', 'rent\nMarch'],
      ['an escape sequence', '\u001b[2Jrent'],
      ['a lone high surrogate', 'rent \ud83c'],
      ['a lone low surrogate', '\udf55 rent'],
    ])('a reference with %s is a 400 VALIDATION_FAILED, and nothing is written', async (_case, reference) => {
      const alice = await bank.customerWithMoney(100);
      const bob = await bank.customerWithMoney(0);
      const before = await counts();
      const res = await bank.transfer(alice.token, {
        fromAccountId: alice.account,
        toAccountId: bob.account,
        amount: 10,
        currency: 'EUR',
        reference,
      });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(await counts()).toEqual(before);
    });

    it('a reference in any script, with emoji, goes through and comes back as sent', async () => {
      const alice = await bank.customerWithMoney(100);
      const bob = await bank.customerWithMoney(0);
      const reference = 'Miete März · 家賃 🍕';
      const res = await bank
        .transfer(alice.token, { fromAccountId: alice.account, toAccountId: bob.account, amount: 10, currency: 'EUR', reference })
        .expect(201);
      expect(res.body.reference).toBe(reference);
    });
  });

  describe('the balance cap', () => {
    it('a deposit past the cap ends FAILED with BALANCE_LIMIT_EXCEEDED (422, also on replay), and books nothing', async () => {
      const alice = await bank.customerWithMoney(0);
      await setBalance(alice.account, CAP - 100);
      const key = randomUUID();
      const deposit = () =>
        system
          .api()
          .post(`/accounts/${alice.account}/deposits`)
          .set('authorization', `Bearer ${alice.token}`)
          .set('idempotency-key', key)
          .send({ amount: 101 });

      const refused = await deposit();
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({
        code: 'BALANCE_LIMIT_EXCEEDED',
        depositId: expect.any(String) as string,
        deposit: { accountId: alice.account, amount: 101, status: 'FAILED', failureCode: 'BALANCE_LIMIT_EXCEEDED' },
      });
      const replay = await deposit();
      expect({ status: replay.status, body: replay.body }).toEqual({ status: refused.status, body: refused.body });

      const depositId = String(refused.body.depositId);
      const { rows: saga } = await system.db.query(`SELECT status, failure_code FROM orchestrator.deposits WHERE id = $1`, [depositId]);
      expect(saga).toEqual([{ status: 'FAILED', failure_code: 'BALANCE_LIMIT_EXCEEDED' }]);
      const { rows: booked } = await system.db.query(
        `SELECT (SELECT count(*) FROM ledger.postings WHERE deposit_id = $1)::int AS postings,
                (SELECT count(*) FROM accounts.deposits WHERE deposit_id = $1)::int AS credits,
                (SELECT count(*) FROM orchestrator.outbox WHERE payload->'data'->>'depositId' = $1::text)::int AS events`,
        [depositId],
      );
      expect(booked).toEqual([{ postings: 0, credits: 0, events: 0 }]);
      expect(await bank.account(alice.token, alice.account)).toMatchObject({ balance: CAP - 100 });

      // Up to the cap exactly is fine.
      await bank.deposit(alice.token, alice.account, 100);
      expect(await bank.account(alice.token, alice.account)).toMatchObject({ balance: CAP, availableBalance: CAP });
    });

    it('a transfer into a full account is a 422 BALANCE_LIMIT_EXCEEDED at once, compensated: the hold released, nothing booked', async () => {
      const alice = await bank.customerWithMoney(1_000);
      const bob = await bank.customerWithMoney(0);
      await setBalance(bob.account, CAP - 5);
      const started = Date.now();
      const refused = await bank.transfer(alice.token, {
        fromAccountId: alice.account,
        toAccountId: bob.account,
        amount: 10,
        currency: 'EUR',
      });
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({ code: 'BALANCE_LIMIT_EXCEEDED', transferId: expect.any(String) as string });
      // Refused by the first step, not after the step budget's retries.
      expect(Date.now() - started).toBeLessThan(5_000);

      const transfer = await eventually(
        () => bank.getTransfer(alice.token, String(refused.body.transferId)),
        (r) => r.body.status !== 'PENDING',
      );
      expect(transfer.body).toMatchObject({ status: 'FAILED', failureCode: 'BALANCE_LIMIT_EXCEEDED' });
      expect((transfer.body.steps as { name: string; status: string }[]).map((s) => `${s.name}:${s.status}`)).toEqual(
        expect.arrayContaining(['RESERVE_FUNDS:FAILED', 'RELEASE_FUNDS:SUCCEEDED']),
      );
      expect(await bank.account(alice.token, alice.account)).toMatchObject({ balance: 1_000, availableBalance: 1_000 });
      expect(await bank.account(bob.token, bob.account)).toMatchObject({ balance: CAP - 5 });
      const { rows } = await system.db.query(
        `SELECT count(*)::int AS n FROM ledger.postings WHERE transfer_id = $1 AND kind = 'TRANSFER'`,
        [refused.body.transferId],
      );
      expect(rows).toEqual([{ n: 0 }]);
      // Up to the cap exactly is fine.
      await bank.transfer(alice.token, { fromAccountId: alice.account, toAccountId: bob.account, amount: 5, currency: 'EUR' }).expect(201);
      expect(await bank.account(bob.token, bob.account)).toMatchObject({ balance: CAP });
    });
  });

  describe('accounts per customer', () => {
    it('refuses the account past ACCOUNTS_MAX_PER_CUSTOMER with 422 ACCOUNT_LIMIT_REACHED, writing nothing; others may still open', async () => {
      const carol = await bank.login();
      await Promise.all([1, 2, 3].map(() => bank.openAccount(carol.token)));
      const before = await counts();
      const refused = await system.api().post('/accounts').set('authorization', `Bearer ${carol.token}`).send({ currency: 'EUR' });
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({ code: 'ACCOUNT_LIMIT_REACHED', limit: 3 });
      expect(await counts()).toEqual(before);
      await bank.openAccount((await bank.login()).token);
    });

    it('holds the limit when one customer opens many accounts at once', async () => {
      const dave = await bank.login();
      const answers = await Promise.all(
        Array.from({ length: 8 }, () =>
          system.api().post('/accounts').set('authorization', `Bearer ${dave.token}`).send({ currency: 'EUR' }),
        ),
      );
      expect(answers.map((a) => a.status).sort()).toEqual([201, 201, 201, 422, 422, 422, 422, 422]);
      const { rows } = await system.db.query(`SELECT count(*)::int AS n FROM accounts.accounts WHERE customer_id = $1`, [dave.customerId]);
      expect(rows).toEqual([{ n: 3 }]);
    });

    it('GET /accounts pages with limit and a Link to the next page, and without a query still answers the whole list', async () => {
      const erin = await bank.login();
      const opened: string[] = [];
      for (let i = 0; i < 3; i++) opened.push((await bank.openAccount(erin.token)).id);
      const get = (path: string) => system.api().get(path).set('authorization', `Bearer ${erin.token}`).expect(200);

      const all = await get('/accounts');
      expect((all.body as { id: string }[]).map((a) => a.id)).toEqual(opened);
      expect(all.headers.link).toBeUndefined();

      const first = await get('/accounts?limit=2');
      expect((first.body as { id: string }[]).map((a) => a.id)).toEqual(opened.slice(0, 2));
      expect(first.headers.link).toBe(`</accounts?limit=2&cursor=${opened[1]}>; rel="next"`);
      const next = /^<([^>]+)>; rel="next"$/.exec(String(first.headers.link))![1];
      const second = await get(next);
      expect((second.body as { id: string }[]).map((a) => a.id)).toEqual(opened.slice(2));
      expect(second.headers.link).toBeUndefined();
    });

    it.each(['limit=0', 'limit=1001', 'limit=x', 'cursor=not-a-uuid', `cursor=${randomUUID()}x`])(
      'a bad page query (%s) is a 400',
      async (query) => {
        const who = await bank.login();
        const res = await system.api().get(`/accounts?${query}`).set('authorization', `Bearer ${who.token}`);
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
      },
    );
  });
});
