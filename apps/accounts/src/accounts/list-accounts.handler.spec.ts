import { randomUUID } from 'node:crypto';
import type { TestDatabase } from '@bank/testing';
import { createAccountsTestDatabase, openFunded } from '../testing/accounts-fixtures.js';
import { ListAccountsHandler } from './list-accounts.handler.js';
import { OpenAccountHandler } from './open-account.handler.js';

describe('ListAccountsHandler (real Postgres)', () => {
  let db: TestDatabase;
  let open: OpenAccountHandler;
  let list: ListAccountsHandler;

  beforeAll(async () => {
    db = await createAccountsTestDatabase();
    open = new OpenAccountHandler(db.sql, { maxPerCustomer: 10 });
    list = new ListAccountsHandler(db.sql);
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
  }, 60_000);

  it("lists a customer's accounts oldest first, a page at a time after a cursor", async () => {
    const customerId = randomUUID();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await open.execute({ customerId, currency: 'EUR' })).id);
    expect((await list.execute({ customerId })).map((a) => a.id)).toEqual(ids);
    expect((await list.execute({ customerId, limit: 2 })).map((a) => a.id)).toEqual(ids.slice(0, 2));
    expect((await list.execute({ customerId, limit: 2, afterAccountId: ids[1] })).map((a) => a.id)).toEqual(ids.slice(2));
    // Someone else's account as a cursor ends the list: it shows nothing of theirs.
    expect(await list.execute({ customerId, afterAccountId: (await openFunded(db, 0)).id })).toEqual([]);
  });

  it('answers with the balances as numbers, and nothing for a customer without accounts', async () => {
    const funded = await openFunded(db, 1_250);
    expect(await list.execute({ customerId: funded.customerId })).toEqual([
      expect.objectContaining({ id: funded.id, customerId: funded.customerId, balance: 1_250, availableBalance: 1_250 }),
    ]);
    expect(await list.execute({ customerId: randomUUID() })).toEqual([]);
  });
});
