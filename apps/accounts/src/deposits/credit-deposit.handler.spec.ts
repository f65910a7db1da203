import { randomUUID } from 'node:crypto';
import type { CreditDepositCommand } from '@bank/contracts';
import type { TestDatabase } from '@bank/testing';
import { balances, createAccountsTestDatabase, moneySnapshot, openFunded } from '../testing/accounts-fixtures.js';
import { CreditDepositHandler } from './credit-deposit.handler.js';

describe('CreditDepositHandler (real Postgres)', () => {
  let db: TestDatabase;
  let credit: CreditDepositHandler;

  beforeAll(async () => {
    db = await createAccountsTestDatabase();
    credit = new CreditDepositHandler(db.sql);
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
  }, 60_000);

  const command = (accountId: string, amount: number, currency = 'EUR'): CreditDepositCommand => ({
    depositId: randomUUID(),
    accountId,
    amount,
    currency,
  });

  it('credits balance and available balance, and answers with the account', async () => {
    const account = await openFunded(db, 100);

    const reply = await credit.execute(command(account.id, 250));

    expect(reply).toMatchObject({ id: account.id, customerId: account.customerId, currency: 'EUR', balance: 350, availableBalance: 350 });
    expect(await balances(db, account.id)).toEqual({ balance: 350, available: 350 });
  });

  it('is idempotent by deposit id: a replay answers the same and credits nothing more', async () => {
    const account = await openFunded(db, 0);
    const cmd = command(account.id, 500);
    const first = await credit.execute(cmd);
    const before = await moneySnapshot(db);

    const replies = [await credit.execute({ ...cmd }), ...(await Promise.all([credit.execute({ ...cmd }), credit.execute({ ...cmd })]))];

    expect(replies).toEqual([first, first, first]);
    expect(await moneySnapshot(db)).toEqual(before);
    expect(await balances(db, account.id)).toEqual({ balance: 500, available: 500 });
  });

  it('credits once when the same deposit arrives many times at once', async () => {
    const account = await openFunded(db, 0);
    const cmd = command(account.id, 70);

    await Promise.all(Array.from({ length: 6 }, () => credit.execute({ ...cmd })));

    expect(await balances(db, account.id)).toEqual({ balance: 70, available: 70 });
  });

  it('refuses a replay with other terms (INVALID_STATE), another currency and an unknown account, writing nothing', async () => {
    const account = await openFunded(db, 0);
    const other = await openFunded(db, 0);
    const cmd = command(account.id, 300);
    await credit.execute(cmd);
    const before = await moneySnapshot(db);

    await expect(credit.execute({ ...cmd, amount: 301 })).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await expect(credit.execute({ ...cmd, accountId: other.id })).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await expect(credit.execute(command(account.id, 10, 'USD'))).rejects.toMatchObject({ code: 'CURRENCY_MISMATCH' });
    await expect(credit.execute(command(randomUUID(), 10))).rejects.toMatchObject({ code: 'ACCOUNT_NOT_FOUND' });
    expect(await moneySnapshot(db)).toEqual(before);
  });
});
