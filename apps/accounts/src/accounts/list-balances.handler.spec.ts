import { randomUUID } from 'node:crypto';
import type { TestDatabase } from '@bank/testing';
import { createAccountsTestDatabase, openFunded, reserveCommand } from '../testing/accounts-fixtures.js';
import { ReserveFundsHandler } from '../holds/reserve-funds.handler.js';
import { ListBalancesHandler } from './list-balances.handler.js';

describe('ListBalancesHandler (real Postgres)', () => {
  let db: TestDatabase;
  let balances: ListBalancesHandler;
  let ids: string[];

  beforeAll(async () => {
    // A database of its own: the listing without a filter sees every account in it.
    db = await createAccountsTestDatabase();
    balances = new ListBalancesHandler(db.sql);
    const funded = [await openFunded(db, 1_000), await openFunded(db, 0, 'USD'), await openFunded(db, 30)];
    await new ReserveFundsHandler(db.sql).execute(reserveCommand(funded[0], funded[2], 300));
    ids = funded.map((a) => a.id).sort();
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
  }, 60_000);

  it('lists every account by id with its currency, balance and available balance (a hold counts only in the latter)', async () => {
    const all = await balances.execute({});
    expect(all.map((b) => b.accountId)).toEqual(ids);
    expect(all).toEqual(
      expect.arrayContaining([
        { accountId: expect.any(String), currency: 'EUR', balance: 1_000, availableBalance: 700 },
        { accountId: expect.any(String), currency: 'USD', balance: 0, availableBalance: 0 },
        { accountId: expect.any(String), currency: 'EUR', balance: 30, availableBalance: 30 },
      ]),
    );
  });

  it('pages by id after a cursor, `limit` at a time', async () => {
    expect((await balances.execute({ limit: 2 })).map((b) => b.accountId)).toEqual(ids.slice(0, 2));
    expect((await balances.execute({ limit: 2, afterAccountId: ids[1] })).map((b) => b.accountId)).toEqual(ids.slice(2));
    expect(await balances.execute({ afterAccountId: ids[2] })).toEqual([]);
  });

  it('lists only the accounts asked for, ignoring unknown ids', async () => {
    const asked = await balances.execute({ accountIds: [ids[2], randomUUID(), ids[0]] });
    expect(asked.map((b) => b.accountId)).toEqual([ids[0], ids[2]]);
  });
});
