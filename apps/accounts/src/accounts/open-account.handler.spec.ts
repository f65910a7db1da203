import { randomUUID } from 'node:crypto';
import { RequestContext } from '@bank/common';
import { EventTypes } from '@bank/contracts';
import { outboxChannel } from '@bank/messaging';
import { eventually, type TestDatabase } from '@bank/testing';
import { createAccountsTestDatabase } from '../testing/accounts-fixtures.js';
import { OpenAccountHandler } from './open-account.handler.js';

const MAX_PER_CUSTOMER = 3;

describe('OpenAccountHandler (real Postgres)', () => {
  let db: TestDatabase;
  let open: OpenAccountHandler;

  beforeAll(async () => {
    db = await createAccountsTestDatabase(12);
    open = new OpenAccountHandler(db.sql, { maxPerCustomer: MAX_PER_CUSTOMER });
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
  }, 60_000);

  const eventsOf = (customerId: string) =>
    db.sql.rows<{ type: string; data: unknown; correlation_id: string; published_at: Date | null }>(
      `SELECT type, payload->'data' AS data, correlation_id, published_at FROM accounts.outbox
        WHERE payload->'data'->>'customerId' = $1::text ORDER BY seq`,
      [customerId],
    );

  it('opens an empty account and answers with it', async () => {
    const customerId = randomUUID();

    const account = await open.execute({ customerId, currency: 'CHF' });

    expect(account).toEqual({
      id: expect.any(String),
      customerId,
      currency: 'CHF',
      balance: 0,
      availableBalance: 0,
      createdAt: expect.any(String),
    });
    const rows = await db.sql.rows(`SELECT customer_id, currency, balance, available_balance FROM accounts.accounts WHERE id = $1`, [
      account.id,
    ]);
    expect(rows).toEqual([{ customer_id: customerId, currency: 'CHF', balance: '0', available_balance: '0' }]);
  });

  it('writes its account.opened event in the same statement, under the correlation id of the request', async () => {
    const customerId = randomUUID();
    const correlationId = randomUUID();

    const account = await RequestContext.run({ correlationId }, () => open.execute({ customerId, currency: 'EUR' }));

    expect(await eventsOf(customerId)).toEqual([
      {
        type: EventTypes.AccountOpened,
        data: { accountId: account.id, customerId, currency: 'EUR' },
        correlation_id: correlationId,
        published_at: null,
      },
    ]);
  });

  it('wakes the outbox relay once the account is committed', async () => {
    const listener = await db.pool.connect();
    try {
      const woken: string[] = [];
      listener.on('notification', (n) => woken.push(n.channel));
      await listener.query(`LISTEN "${outboxChannel('accounts')}"`);

      await open.execute({ customerId: randomUUID(), currency: 'EUR' });

      expect(await eventually(() => woken[0], { timeoutMs: 2_000, what: 'the relay woken' })).toBe(outboxChannel('accounts'));
    } finally {
      listener.release();
    }
  });

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
});
