import { randomUUID } from 'node:crypto';
import type { TestDatabase } from '@bank/testing';
import { CreditDepositHandler } from '../deposits/credit-deposit.handler.js';
import { CommitFundsHandler } from '../holds/commit-funds.handler.js';
import { ReleaseFundsHandler } from '../holds/release-funds.handler.js';
import { ReserveFundsHandler } from '../holds/reserve-funds.handler.js';
import { createAccountsTestDatabase } from '../testing/accounts-fixtures.js';
import { OpenAccountHandler } from './open-account.handler.js';

const CAP = Number.MAX_SAFE_INTEGER;

describe('accounts: the balance cap (real Postgres)', () => {
  let db: TestDatabase;
  let open: OpenAccountHandler;
  let reserve: ReserveFundsHandler;
  let commit: CommitFundsHandler;
  let release: ReleaseFundsHandler;
  let credit: CreditDepositHandler;

  beforeAll(async () => {
    db = await createAccountsTestDatabase(12);
    open = new OpenAccountHandler(db.sql, { maxPerCustomer: 1_000 });
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
});
