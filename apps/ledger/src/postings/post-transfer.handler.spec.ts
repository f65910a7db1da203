import { randomUUID } from 'node:crypto';
import { DomainError, type PostTransferCommand } from '@bank/contracts';
import { createLedgerTestDatabase, failedStatements, type LedgerTestDatabase } from '../testing/ledger-test-database.js';
import { PostDepositHandler } from './post-deposit.handler.js';
import { PostTransferHandler } from './post-transfer.handler.js';
import { ReverseTransferHandler } from './reverse-transfer.handler.js';

describe('PostTransferHandler (real Postgres)', () => {
  let db: LedgerTestDatabase;
  let post: PostTransferHandler;
  let deposit: PostDepositHandler;
  let reverse: ReverseTransferHandler;

  beforeAll(async () => {
    // Enough connections for the concurrency cases to really run side by side.
    db = await createLedgerTestDatabase(20);
    post = new PostTransferHandler(db.sql);
    deposit = new PostDepositHandler(db.sql);
    reverse = new ReverseTransferHandler(db.sql);
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
  }, 60_000);

  const command = (fromAccountId: string, toAccountId: string, amount: number, currency = 'EUR'): PostTransferCommand => ({
    transferId: randomUUID(),
    fromAccountId,
    toAccountId,
    amount,
    currency,
  });

  async function funded(amount: number, currency = 'EUR'): Promise<string> {
    const accountId = randomUUID();
    await deposit.execute({ depositId: randomUUID(), accountId, amount, currency });
    return accountId;
  }

  async function balance(accountId: string): Promise<number | null> {
    const [row] = await db.sql.rows<{ balance: string }>(`SELECT balance FROM ledger.balances WHERE account_id = $1`, [accountId]);
    return row ? Number(row.balance) : null;
  }

  async function entriesOf(transferId: string) {
    const rows = await db.sql.rows<{
      account_id: string;
      amount: string;
      balance_after: string;
      currency: string;
      kind: string;
      posting_id: string;
    }>(
      `SELECT e.account_id, e.amount, e.balance_after, e.currency, p.kind, p.id AS posting_id
         FROM ledger.entries e JOIN ledger.postings p ON p.id = e.posting_id
        WHERE p.transfer_id = $1 ORDER BY e.seq`,
      [transferId],
    );
    return rows.map((r) => ({ ...r, amount: Number(r.amount), balance_after: Number(r.balance_after) }));
  }

  it('books a balanced posting: debit the source, credit the destination, with balance_after', async () => {
    const from = await funded(1_000);
    const to = await funded(50);
    const cmd = command(from, to, 300);

    const reply = await post.execute(cmd);

    expect(reply).toEqual({ postingId: expect.any(String) as string, transferId: cmd.transferId, kind: 'TRANSFER' });
    const entries = await entriesOf(cmd.transferId);
    expect(entries).toHaveLength(2);
    expect(
      entries.map(({ account_id, amount, balance_after, currency, posting_id }) => ({
        account_id,
        amount,
        balance_after,
        currency,
        posting_id,
      })),
    ).toEqual(
      expect.arrayContaining([
        { account_id: from, amount: -300, balance_after: 700, currency: 'EUR', posting_id: reply.postingId },
        { account_id: to, amount: 300, balance_after: 350, currency: 'EUR', posting_id: reply.postingId },
      ]),
    );
    expect(await balance(from)).toBe(700);
    expect(await balance(to)).toBe(350);
  });

  it('creates the running balance of an account it has never seen', async () => {
    const from = await funded(100);
    const to = randomUUID();
    await post.execute(command(from, to, 40));
    expect(await balance(to)).toBe(40);
  });

  it('is idempotent: a replay returns the same posting and books nothing more', async () => {
    const from = await funded(1_000);
    const to = await funded(1);
    const cmd = command(from, to, 250);

    const first = await post.execute(cmd);
    const again = await post.execute({ ...cmd });

    expect(again).toEqual(first);
    expect(await entriesOf(cmd.transferId)).toHaveLength(2);
    expect(await balance(from)).toBe(750);
    expect(await balance(to)).toBe(251);
  });

  it('books a transfer once when the same command arrives many times at once', async () => {
    const from = await funded(1_000);
    const to = randomUUID();
    const cmd = command(from, to, 10);

    const replies = await Promise.all(Array.from({ length: 8 }, () => post.execute({ ...cmd })));

    expect(new Set(replies.map((r) => r.postingId)).size).toBe(1);
    expect(await entriesOf(cmd.transferId)).toHaveLength(2);
    expect(await balance(from)).toBe(990);
  });

  it('refuses a replay with other terms (INVALID_STATE) and books nothing', async () => {
    const from = await funded(1_000);
    const to = randomUUID();
    const cmd = command(from, to, 100);
    await post.execute(cmd);

    await expect(post.execute({ ...cmd, amount: 101 })).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await expect(post.execute({ ...cmd, toAccountId: randomUUID() })).rejects.toMatchObject({ code: 'INVALID_STATE' });
    expect(await balance(from)).toBe(900);
  });

  it('refuses with POSTING_VOIDED when a compensation voided the transfer first', async () => {
    const from = await funded(1_000);
    const to = randomUUID();
    const cmd = command(from, to, 100);
    const voided = await reverse.execute({ transferId: cmd.transferId });
    expect(voided.kind).toBe('VOID');

    const refusal = await post.execute(cmd).catch((error: unknown) => error);

    expect(refusal).toBeInstanceOf(DomainError);
    expect(refusal).toMatchObject({ code: 'POSTING_VOIDED' });
    expect(await entriesOf(cmd.transferId)).toHaveLength(0);
    expect(await balance(from)).toBe(1_000);
    expect(await balance(to)).toBeNull();
  });

  it('refuses with CURRENCY_MISMATCH an account the ledger keeps in another currency, and writes nothing', async () => {
    const from = await funded(1_000, 'USD');
    const to = await funded(5, 'EUR');
    const cmd = command(from, to, 100, 'USD');

    // A condition of the statement refuses it: no statement fails, so Postgres logs no ERROR with the SQL.
    expect(await failedStatements(db.sql, () => expect(post.execute(cmd)).rejects.toMatchObject({ code: 'CURRENCY_MISMATCH' }))).toEqual([]);

    const [postings] = await db.sql.rows<{ n: number }>(`SELECT count(*)::int AS n FROM ledger.postings WHERE transfer_id = $1`, [
      cmd.transferId,
    ]);
    expect(postings.n).toBe(0);
    expect(await balance(from)).toBe(1_000);
    expect(await balance(to)).toBe(5);
  });

  it('refuses a transfer to the same account', async () => {
    const account = await funded(10);
    await expect(post.execute(command(account, account, 1))).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('runs many opposite transfers at once without deadlock and ends with exact balances', async () => {
    const start = 1_000_000;
    const accounts = [await funded(start), await funded(start), await funded(start)];
    const [a, b, c] = accounts as [string, string, string];
    // A <-> B in both directions (the classic deadlock), and C crossing both.
    const pairs: [string, string][] = [
      [a, b],
      [b, a],
      [a, c],
      [c, b],
      [b, c],
      [c, a],
    ];
    const commands = Array.from({ length: 120 }, (_, i) => {
      const [from, to] = pairs[i % pairs.length];
      return command(from, to, 1 + ((i * 37) % 500));
    });
    const expected = new Map(accounts.map((id) => [id, start]));
    for (const cmd of commands) {
      expected.set(cmd.fromAccountId, expected.get(cmd.fromAccountId)! - cmd.amount);
      expected.set(cmd.toAccountId, expected.get(cmd.toAccountId)! + cmd.amount);
    }

    const results = await Promise.allSettled(commands.map((cmd) => post.execute(cmd)));

    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    for (const account of accounts) expect(await balance(account)).toBe(expected.get(account));
    // Each account's entries, in seq order, form an unbroken running balance ending at its balance.
    for (const account of accounts) {
      const rows = await db.sql.rows<{ amount: string; balance_after: string }>(
        `SELECT amount, balance_after FROM ledger.entries WHERE account_id = $1 ORDER BY seq`,
        [account],
      );
      let running = 0;
      for (const row of rows) {
        running += Number(row.amount);
        expect(Number(row.balance_after)).toBe(running);
      }
      expect(running).toBe(expected.get(account));
    }
  }, 60_000);
});
