import { randomUUID } from 'node:crypto';
import type { PostTransferCommand } from '@bank/contracts';
import { createTestDatabase, type TestDatabase } from '@bank/testing';
import { PostDepositHandler } from './post-deposit.handler.js';
import { PostTransferHandler } from './post-transfer.handler.js';
import { ReverseTransferHandler } from './reverse-transfer.handler.js';
import { LEDGER_SCHEMA } from '../ledger.schema.js';
import { ledgerMigrations } from '../migrations/index.js';

describe('ReverseTransferHandler (real Postgres)', () => {
  let db: TestDatabase;
  let post: PostTransferHandler;
  let deposit: PostDepositHandler;
  let reverse: ReverseTransferHandler;

  beforeAll(async () => {
    db = await createTestDatabase({ schema: LEDGER_SCHEMA, migrations: ledgerMigrations, poolSize: 20 });
    post = new PostTransferHandler(db.sql);
    deposit = new PostDepositHandler(db.sql);
    reverse = new ReverseTransferHandler(db.sql);
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
  }, 60_000);

  async function funded(amount: number): Promise<string> {
    const accountId = randomUUID();
    await deposit.execute({ depositId: randomUUID(), accountId, amount, currency: 'EUR' });
    return accountId;
  }

  async function balance(accountId: string): Promise<number> {
    const [row] = await db.sql.rows<{ balance: string }>(`SELECT balance FROM ledger.balances WHERE account_id = $1`, [accountId]);
    return Number(row?.balance ?? 0);
  }

  async function postings(transferId: string) {
    return db.sql.rows<{ id: string; kind: string; entries: number; total: string | null }>(
      `SELECT p.id, p.kind, count(e.id)::int AS entries, sum(e.amount)::text AS total
         FROM ledger.postings p LEFT JOIN ledger.entries e ON e.posting_id = p.id
        WHERE p.transfer_id = $1 GROUP BY p.id, p.kind ORDER BY p.kind`,
      [transferId],
    );
  }

  const transfer = (fromAccountId: string, toAccountId: string, amount: number): PostTransferCommand => ({
    transferId: randomUUID(),
    fromAccountId,
    toAccountId,
    amount,
    currency: 'EUR',
  });

  it('books the opposite entries of a posted transfer and restores both balances', async () => {
    const from = await funded(1_000);
    const to = await funded(20);
    const cmd = transfer(from, to, 400);
    await post.execute(cmd);
    expect([await balance(from), await balance(to)]).toEqual([600, 420]);

    const reply = await reverse.execute({ transferId: cmd.transferId });

    expect(reply).toEqual({ postingId: expect.any(String) as string, transferId: cmd.transferId, kind: 'REVERSAL' });
    expect([await balance(from), await balance(to)]).toEqual([1_000, 20]);
    const reversal = await db.sql.rows<{ account_id: string; amount: string; balance_after: string }>(
      `SELECT account_id, amount, balance_after FROM ledger.entries WHERE posting_id = $1`,
      [reply.postingId],
    );
    expect(reversal).toEqual(
      expect.arrayContaining([
        { account_id: from, amount: '400', balance_after: '1000' },
        { account_id: to, amount: '-400', balance_after: '20' },
      ]),
    );
  });

  it('is idempotent: a replay returns the same REVERSAL and moves no money again', async () => {
    const from = await funded(1_000);
    const to = randomUUID();
    const cmd = transfer(from, to, 100);
    await post.execute(cmd);

    const replies = await Promise.all([reverse.execute({ transferId: cmd.transferId }), reverse.execute({ transferId: cmd.transferId })]);
    const later = await reverse.execute({ transferId: cmd.transferId });

    expect(new Set([...replies, later].map((r) => r.postingId)).size).toBe(1);
    expect(later.kind).toBe('REVERSAL');
    expect(await balance(from)).toBe(1_000);
    expect(await balance(to)).toBe(0);
    expect((await postings(cmd.transferId)).map((p) => p.kind)).toEqual(['REVERSAL', 'TRANSFER']);
  });

  it('records a VOID when nothing was posted, and returns it on a replay', async () => {
    const transferId = randomUUID();

    const first = await reverse.execute({ transferId });
    const again = await reverse.execute({ transferId });

    expect(first).toEqual({ postingId: expect.any(String) as string, transferId, kind: 'VOID' });
    expect(again).toEqual(first);
    expect(await postings(transferId)).toEqual([{ id: first.postingId, kind: 'VOID', entries: 0, total: null }]);
  });

  it('a post replayed after its reversal still returns the original TRANSFER and books nothing', async () => {
    const from = await funded(500);
    const to = randomUUID();
    const cmd = transfer(from, to, 50);
    const posted = await post.execute(cmd);
    await reverse.execute({ transferId: cmd.transferId });

    await expect(post.execute(cmd)).resolves.toEqual(posted);
    expect(await balance(from)).toBe(500);
  });

  it('settles every race of a post with its compensation to a net zero', async () => {
    const from = await funded(1_000_000);
    const to = randomUUID();
    const commands = Array.from({ length: 40 }, (_, i) => transfer(from, to, 10 + i));

    const outcomes = await Promise.all(
      commands.map(async (cmd, i) => {
        // Alternate who starts first, so both orders of arrival occur.
        const both =
          i % 2 === 0
            ? [
                post.execute(cmd).then(
                  () => 'posted',
                  (e: { code?: string }) => e.code,
                ),
                reverse.execute({ transferId: cmd.transferId }).then((r) => r.kind),
              ]
            : [
                reverse.execute({ transferId: cmd.transferId }).then((r) => r.kind),
                post.execute(cmd).then(
                  () => 'posted',
                  (e: { code?: string }) => e.code,
                ),
              ];
        return (await Promise.all(both)).sort().join('+');
      }),
    );

    // Either the post won and was reversed, or the VOID came first and refused the post.
    for (const outcome of outcomes) expect(['REVERSAL+posted', 'POSTING_VOIDED+VOID']).toContain(outcome);
    expect(await balance(from)).toBe(1_000_000);
    expect(await balance(to)).toBe(0);
    for (const cmd of commands) {
      const kinds = (await postings(cmd.transferId)).map((p) => `${p.kind}:${p.total ?? '-'}`);
      expect([['REVERSAL:0', 'TRANSFER:0'], ['VOID:-']]).toContainEqual(kinds);
    }
  }, 60_000);
});
