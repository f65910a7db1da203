import { randomUUID } from 'node:crypto';
import type { TestDatabase } from '@bank/testing';
import { createAccountsTestDatabase, openFunded } from '../testing/accounts-fixtures.js';
import { GetAccountHandler } from './get-account.handler.js';

describe('GetAccountHandler (real Postgres)', () => {
  let db: TestDatabase;
  let get: GetAccountHandler;

  beforeAll(async () => {
    db = await createAccountsTestDatabase();
    get = new GetAccountHandler(db.sql);
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
  }, 60_000);

  it('answers with the account to its customer, and to a service that names no customer', async () => {
    const account = await openFunded(db, 400);
    const expected = {
      id: account.id,
      customerId: account.customerId,
      currency: 'EUR',
      balance: 400,
      availableBalance: 400,
      createdAt: expect.any(String),
    };

    expect(await get.execute({ accountId: account.id, customerId: account.customerId })).toEqual(expected);
    expect(await get.execute({ accountId: account.id })).toEqual(expected);
  });

  it("answers someone else's account exactly like a missing one (ACCOUNT_NOT_FOUND): no existence leak", async () => {
    const account = await openFunded(db, 400);
    const missing = randomUUID();

    const strangers = await get.execute({ accountId: account.id, customerId: randomUUID() }).catch((error: unknown) => error);
    const absent = await get.execute({ accountId: missing, customerId: account.customerId }).catch((error: unknown) => error);

    expect(strangers).toMatchObject({ code: 'ACCOUNT_NOT_FOUND', message: `Account ${account.id} not found` });
    expect(absent).toMatchObject({ code: 'ACCOUNT_NOT_FOUND', message: `Account ${missing} not found` });
  });
});
