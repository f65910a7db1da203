import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@bank/testing';
import { ACCOUNTS_SCHEMA } from '../accounts.schema.js';
import { CreditDepositHandler } from '../deposits/credit-deposit.handler.js';
import { CommitFundsHandler } from '../holds/commit-funds.handler.js';
import { ReleaseFundsHandler } from '../holds/release-funds.handler.js';
import { ReserveFundsHandler } from '../holds/reserve-funds.handler.js';
import { accountsMigrations } from '../migrations/index.js';
import { ListAccountsHandler } from './list-accounts.handler.js';
import { OpenAccountHandler } from './open-account.handler.js';

const CAP = Number.MAX_SAFE_INTEGER;
const MAX_PER_CUSTOMER = 3;

describe('accounts: the balance cap and the per-customer limits (real Postgres)', () => {
  let db: TestDatabase;
  let open: OpenAccountHandler;
  let list: ListAccountsHandler;
  let reserve: ReserveFundsHandler;
  let commit: CommitFundsHandler;
  let release: ReleaseFundsHandler;
  let credit: CreditDepositHandler;

  beforeAll(async () => {
    db = await createTestDatabase({ schema: ACCOUNTS_SCHEMA, migrations: accountsMigrations, poolSize: 12 });
    open = new OpenAccountHandler(db.sql, { maxPerCustomer: MAX_PER_CUSTOMER });
    list = new ListAccountsHandler(db.sql);
    reserve = new ReserveFundsHandler(db.sql);
    commit = new CommitFundsHandler(db.sql);
    release = new ReleaseFundsHandler(db.sql);
    credit = new CreditDepositHandler(db.sql);
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
  }, 60_000);

  async function account(balance: number): Promise<{ id: string; customerId: string }> {
    const opened = await open.execute({ customerId: randomUUID(), currency: 'EUR' });
    await db.sql.rows(`UPDATE accounts.accounts SET balance = $2, available_balance = $2 WHERE id = $1 RETURNING id`, [
      opened.id,
      String(balance),
    ]);
    return { id: opened.id, customerId: opened.customerId };
  }

  async function balances(id: string) {
    const [row] = await db.sql.rows<{ balance: string; available_balance: string }>(
      `SELECT balance, available_balance FROM accounts.accounts WHERE id = $1`,
      [id],
    );
    return { balance: Number(row.balance), available: Number(row.available_balance) };
  }

  const transfer = (from: { id: string; customerId: string }, to: { id: string }, amount: number) => ({
    transferId: randomUUID(),
    customerId: from.customerId,
    fromAccountId: from.id,
    toAccountId: to.id,
    amount,
    currency: 'EUR',
  });

  describe('the balance cap', () => {
    it('a reserve into an account without room is refused (BALANCE_LIMIT_EXCEEDED) and holds nothing; up to the cap is fine', async () => {
      const from = await account(1_000);
      const to = await account(CAP - 10);
      const over = transfer(from, to, 11);
      await expect(reserve.execute(over)).rejects.toMatchObject({ code: 'BALANCE_LIMIT_EXCEEDED' });
      expect(await db.sql.rows(`SELECT 1 FROM accounts.holds WHERE transfer_id = $1`, [over.transferId])).toEqual([]);
      expect(await balances(from.id)).toEqual({ balance: 1_000, available: 1_000 });

      const exact = transfer(from, to, 10);
      await reserve.execute(exact);
      await commit.execute({ transferId: exact.transferId });
      expect(await balances(to.id)).toEqual({ balance: CAP, available: CAP });
    });

    it('a commit whose destination filled up since the reserve is refused (BALANCE_LIMIT_EXCEEDED), the hold stays for the compensation', async () => {
      const from = await account(1_000);
      const to = await account(CAP - 100);
      const t = transfer(from, to, 60);
      await reserve.execute(t);
      await credit.execute({ depositId: randomUUID(), accountId: to.id, amount: 50, currency: 'EUR' });

      await expect(commit.execute({ transferId: t.transferId })).rejects.toMatchObject({ code: 'BALANCE_LIMIT_EXCEEDED' });
      expect(await balances(to.id)).toEqual({ balance: CAP - 50, available: CAP - 50 });
      expect(await balances(from.id)).toEqual({ balance: 1_000, available: 940 });
      await release.execute({ transferId: t.transferId });
      expect(await balances(from.id)).toEqual({ balance: 1_000, available: 1_000 });
    });

    it('a deposit past the cap is refused (BALANCE_LIMIT_EXCEEDED) and credits nothing; a replay of a credited one still answers', async () => {
      const to = await account(CAP - 100);
      const first = { depositId: randomUUID(), accountId: to.id, amount: 100, currency: 'EUR' };
      await credit.execute(first);
      const over = { depositId: randomUUID(), accountId: to.id, amount: 1, currency: 'EUR' };
      await expect(credit.execute(over)).rejects.toMatchObject({ code: 'BALANCE_LIMIT_EXCEEDED' });
      expect(await db.sql.rows(`SELECT 1 FROM accounts.deposits WHERE deposit_id = $1`, [over.depositId])).toEqual([]);
      await expect(credit.execute(first)).resolves.toMatchObject({ balance: CAP });
    });
  });

  describe('accounts per customer', () => {
    it('opens at most the limit per customer, also when asked many times at once, and writes no event for a refused one', async () => {
      const customerId = randomUUID();
      const results = await Promise.allSettled(Array.from({ length: 8 }, () => open.execute({ customerId, currency: 'EUR' })));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(MAX_PER_CUSTOMER);
      for (const r of results.filter((r) => r.status === 'rejected')) expect(r.reason).toMatchObject({ code: 'ACCOUNT_LIMIT_REACHED' });
      const [counts] = await db.sql.rows<{ accounts: number; events: number }>(
        `SELECT (SELECT count(*)::int FROM accounts.accounts WHERE customer_id = $1) AS accounts,
                (SELECT count(*)::int FROM accounts.outbox WHERE payload->'data'->>'customerId' = $1::text) AS events`,
        [customerId],
      );
      expect(counts).toEqual({ accounts: MAX_PER_CUSTOMER, events: MAX_PER_CUSTOMER });
    });

    it("lists a customer's accounts oldest first, a page at a time after a cursor", async () => {
      const customerId = randomUUID();
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await open.execute({ customerId, currency: 'EUR' })).id);
      expect((await list.execute({ customerId })).map((a) => a.id)).toEqual(ids);
      expect((await list.execute({ customerId, limit: 2 })).map((a) => a.id)).toEqual(ids.slice(0, 2));
      expect((await list.execute({ customerId, limit: 2, afterAccountId: ids[1] })).map((a) => a.id)).toEqual(ids.slice(2));
      // Someone else's account as a cursor ends the list: it shows nothing of theirs.
      expect(await list.execute({ customerId, afterAccountId: (await account(0)).id })).toEqual([]);
    });
  });
});
