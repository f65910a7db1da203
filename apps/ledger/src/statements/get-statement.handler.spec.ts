import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@bank/testing';
import { PostDepositHandler } from '../postings/post-deposit.handler.js';
import { PostTransferHandler } from '../postings/post-transfer.handler.js';
import { ReverseTransferHandler } from '../postings/reverse-transfer.handler.js';
import { GetStatementHandler } from './get-statement.handler.js';
import { encodeStatementCursor } from './statement-cursor.js';
import { LEDGER_SCHEMA } from '../ledger.schema.js';
import { ledgerMigrations } from '../migrations/index.js';

describe('GetStatementHandler (real Postgres)', () => {
  let db: TestDatabase;
  let statement: GetStatementHandler;
  let deposit: PostDepositHandler;
  let post: PostTransferHandler;
  let reverse: ReverseTransferHandler;

  // Booked once, in this order, for account A: +100 (D1), -30 (T1), +50 (D2), +10 (T2), +30 (reversal of T1).
  const a = randomUUID();
  const b = randomUUID();
  const [d1, d2, t1, t2] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];

  beforeAll(async () => {
    db = await createTestDatabase({ schema: LEDGER_SCHEMA, migrations: ledgerMigrations });
    statement = new GetStatementHandler(db.sql);
    deposit = new PostDepositHandler(db.sql);
    post = new PostTransferHandler(db.sql);
    reverse = new ReverseTransferHandler(db.sql);
    await deposit.execute({ depositId: d1, accountId: a, amount: 100, currency: 'EUR' });
    await post.execute({ transferId: t1, fromAccountId: a, toAccountId: b, amount: 30, currency: 'EUR' });
    await deposit.execute({ depositId: d2, accountId: a, amount: 50, currency: 'EUR' });
    await post.execute({ transferId: t2, fromAccountId: b, toAccountId: a, amount: 10, currency: 'EUR' });
    await reverse.execute({ transferId: t1 });
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
  }, 60_000);

  const view = (entries: { transferId: string; amount: number; balanceAfter: number }[]) =>
    entries.map(({ transferId, amount, balanceAfter }) => ({ transferId, amount, balanceAfter }));

  it('lists the entries newest first with signed amounts, balanceAfter and the balance', async () => {
    const reply = await statement.execute({ accountId: a });

    expect(reply).toMatchObject({ accountId: a, currency: 'EUR', balance: 160, nextCursor: null });
    expect(view(reply.entries)).toEqual([
      { transferId: t1, amount: 30, balanceAfter: 160 },
      { transferId: t2, amount: 10, balanceAfter: 130 },
      // A deposit's entry carries the deposit id as its transferId.
      { transferId: d2, amount: 50, balanceAfter: 120 },
      { transferId: t1, amount: -30, balanceAfter: 70 },
      { transferId: d1, amount: 100, balanceAfter: 100 },
    ]);
    for (const entry of reply.entries) {
      expect(entry.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(new Date(entry.postedAt).toISOString()).toBe(entry.postedAt);
    }
    expect(new Set(reply.entries.map((e) => e.id)).size).toBe(5);
  });

  it('pages with an opaque cursor and ends with a null cursor', async () => {
    const first = await statement.execute({ accountId: a, limit: 2 });
    expect(view(first.entries).map((e) => e.balanceAfter)).toEqual([160, 130]);
    expect(first.nextCursor).toEqual(expect.any(String));

    const second = await statement.execute({ accountId: a, limit: 2, cursor: first.nextCursor! });
    expect(view(second.entries).map((e) => e.balanceAfter)).toEqual([120, 70]);
    expect(second.nextCursor).toEqual(expect.any(String));

    const third = await statement.execute({ accountId: a, limit: 2, cursor: second.nextCursor! });
    expect(view(third.entries)).toEqual([{ transferId: d1, amount: 100, balanceAfter: 100 }]);
    expect(third.nextCursor).toBeNull();
    // Every page reports the current balance, not the page's.
    expect([first.balance, second.balance, third.balance]).toEqual([160, 160, 160]);
  });

  it('gives a null cursor when the last page is exactly full', async () => {
    const reply = await statement.execute({ accountId: a, limit: 5 });
    expect(reply.entries).toHaveLength(5);
    expect(reply.nextCursor).toBeNull();
  });

  it('defaults to pages of 100', async () => {
    const accountId = randomUUID();
    for (let i = 0; i < 101; i++) await deposit.execute({ depositId: randomUUID(), accountId, amount: 1, currency: 'EUR' });

    const first = await statement.execute({ accountId });
    const second = await statement.execute({ accountId, cursor: first.nextCursor! });

    expect(first.entries).toHaveLength(100);
    expect(first.entries[0].balanceAfter).toBe(101);
    expect(second.entries.map((e) => e.balanceAfter)).toEqual([1]);
    expect(second.nextCursor).toBeNull();
  }, 30_000);

  it('answers for an account without entries with a zero balance and no entries', async () => {
    const accountId = randomUUID();
    await expect(statement.execute({ accountId })).resolves.toEqual({ accountId, currency: '', balance: 0, entries: [], nextCursor: null });
  });

  it('keeps the balance on a page past the end', async () => {
    const reply = await statement.execute({ accountId: a, cursor: encodeStatementCursor('1') });
    expect(reply).toMatchObject({ balance: 160, currency: 'EUR', entries: [], nextCursor: null });
  });

  it("shows one account's entries only", async () => {
    const reply = await statement.execute({ accountId: b });
    expect(view(reply.entries)).toEqual([
      { transferId: t1, amount: -30, balanceAfter: -10 },
      { transferId: t2, amount: -10, balanceAfter: 20 },
      { transferId: t1, amount: 30, balanceAfter: 30 },
    ]);
    // The ledger follows the bookings, even below zero: overdrafts are the accounts service's to refuse.
    expect(reply.balance).toBe(-10);
  });

  it('refuses a cursor it did not make with VALIDATION_FAILED', async () => {
    await expect(statement.execute({ accountId: a, cursor: 'not-a-cursor!' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(statement.execute({ accountId: a, cursor: Buffer.from('seq:abc').toString('base64url') })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });
});
