import { randomUUID } from 'node:crypto';
import type { PostDepositCommand } from '@bank/contracts';
import { createTestDatabase, type TestDatabase } from '@bank/testing';
import { PostDepositHandler } from './post-deposit.handler.js';
import { settlementAccountId } from './settlement-account.js';
import { LEDGER_SCHEMA } from '../ledger.schema.js';
import { ledgerMigrations } from '../migrations/index.js';

describe('PostDepositHandler (real Postgres)', () => {
  let db: TestDatabase;
  let deposit: PostDepositHandler;

  beforeAll(async () => {
    db = await createTestDatabase({ schema: LEDGER_SCHEMA, migrations: ledgerMigrations, poolSize: 20 });
    deposit = new PostDepositHandler(db.sql);
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
  }, 60_000);

  const command = (accountId: string, amount: number, currency = 'EUR'): PostDepositCommand => ({
    depositId: randomUUID(),
    accountId,
    amount,
    currency,
  });

  async function entriesOf(postingId: string) {
    return db.sql.rows<{ account_id: string; amount: string; balance_after: string | null; currency: string }>(
      `SELECT account_id, amount, balance_after, currency FROM ledger.entries WHERE posting_id = $1 ORDER BY amount`,
      [postingId],
    );
  }

  async function balance(accountId: string): Promise<number | null> {
    const [row] = await db.sql.rows<{ balance: string }>(`SELECT balance FROM ledger.balances WHERE account_id = $1`, [accountId]);
    return row ? Number(row.balance) : null;
  }

  it('debits the settlement account and credits the customer, with a running balance for the customer only', async () => {
    const accountId = randomUUID();
    const first = command(accountId, 1_250);

    const reply = await deposit.execute(first);
    await deposit.execute(command(accountId, 750));

    expect(reply).toEqual({ postingId: expect.any(String) as string, transferId: first.depositId, kind: 'DEPOSIT' });
    expect(await entriesOf(reply.postingId)).toEqual([
      { account_id: settlementAccountId('EUR'), amount: '-1250', balance_after: null, currency: 'EUR' },
      { account_id: accountId, amount: '1250', balance_after: '1250', currency: 'EUR' },
    ]);
    expect(await balance(accountId)).toBe(2_000);
    // No hot row for the bank's side.
    expect(await balance(settlementAccountId('EUR'))).toBeNull();
  });

  it('is idempotent by deposit id, also when the replays arrive together', async () => {
    const accountId = randomUUID();
    const cmd = command(accountId, 300);

    const replies = await Promise.all(Array.from({ length: 6 }, () => deposit.execute({ ...cmd })));
    const later = await deposit.execute({ ...cmd });

    expect(new Set([...replies, later].map((r) => r.postingId)).size).toBe(1);
    expect(await balance(accountId)).toBe(300);
    const [count] = await db.sql.rows<{ n: number }>(`SELECT count(*)::int AS n FROM ledger.postings WHERE deposit_id = $1`, [
      cmd.depositId,
    ]);
    expect(count.n).toBe(1);
  });

  it('refuses a replay with other terms (INVALID_STATE)', async () => {
    const accountId = randomUUID();
    const cmd = command(accountId, 300);
    await deposit.execute(cmd);

    await expect(deposit.execute({ ...cmd, amount: 301 })).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await expect(deposit.execute({ ...cmd, accountId: randomUUID() })).rejects.toMatchObject({ code: 'INVALID_STATE' });
    expect(await balance(accountId)).toBe(300);
  });

  it('refuses a deposit in another currency than the account has in the ledger, and writes nothing', async () => {
    const accountId = randomUUID();
    await deposit.execute(command(accountId, 100, 'EUR'));
    const usd = command(accountId, 100, 'USD');

    await expect(deposit.execute(usd)).rejects.toMatchObject({ code: 'CURRENCY_MISMATCH' });

    const [count] = await db.sql.rows<{ n: number }>(`SELECT count(*)::int AS n FROM ledger.postings WHERE deposit_id = $1`, [
      usd.depositId,
    ]);
    expect(count.n).toBe(0);
    expect(await balance(accountId)).toBe(100);
  });

  it('refuses with BALANCE_LIMIT_EXCEEDED a deposit that would push the balance past the cap, and writes nothing', async () => {
    const accountId = randomUUID();
    await deposit.execute(command(accountId, 1));
    await db.sql.rows(`UPDATE ledger.balances SET balance = $2 WHERE account_id = $1 RETURNING 1`, [
      accountId,
      Number.MAX_SAFE_INTEGER - 10,
    ]);
    const over = command(accountId, 11);

    await expect(deposit.execute(over)).rejects.toMatchObject({ code: 'BALANCE_LIMIT_EXCEEDED' });

    const [count] = await db.sql.rows<{ n: number }>(`SELECT count(*)::int AS n FROM ledger.postings WHERE deposit_id = $1`, [
      over.depositId,
    ]);
    expect(count.n).toBe(0);
    await deposit.execute(command(accountId, 10));
    expect(await balance(accountId)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('refuses a deposit into the settlement account itself', async () => {
    await expect(deposit.execute(command(settlementAccountId('EUR'), 5))).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('keeps a settlement account per currency, and the journal balanced in each', async () => {
    await deposit.execute(command(randomUUID(), 40, 'GBP'));
    await deposit.execute(command(randomUUID(), 60, 'GBP'));
    const totals = await db.sql.rows<{ currency: string; total: string }>(
      `SELECT currency, sum(amount)::text AS total FROM ledger.entries GROUP BY currency ORDER BY currency`,
    );
    expect(totals.every((t) => t.total === '0')).toBe(true);
    const [gbp] = await db.sql.rows<{ total: string }>(`SELECT sum(amount)::text AS total FROM ledger.entries WHERE account_id = $1`, [
      settlementAccountId('GBP'),
    ]);
    expect(gbp.total).toBe('-100');
  });
});
