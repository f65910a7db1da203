import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@bank/testing';
import { LEDGER_SCHEMA } from '../ledger.schema.js';
import { ledgerMigrations } from '../migrations/index.js';
import { PostDepositHandler } from './post-deposit.handler.js';
import { PostTransferHandler } from './post-transfer.handler.js';
import { ReverseTransferHandler } from './reverse-transfer.handler.js';

/**
 * Every money command of the ledger, replayed on purpose (one after the other, then several at once)
 * right after it was applied: the replay answers exactly as the first run did, and the journal and
 * the running balances are the same row for row. The saga and the RPC client replay any command
 * whose answer was lost, so this is what keeps a timeout from booking twice.
 */
describe('ledger commands replayed (real Postgres)', () => {
  let db: TestDatabase;
  let post: PostTransferHandler;
  let deposit: PostDepositHandler;
  let reverse: ReverseTransferHandler;

  beforeAll(async () => {
    db = await createTestDatabase({ schema: LEDGER_SCHEMA, migrations: ledgerMigrations });
    post = new PostTransferHandler(db.sql);
    deposit = new PostDepositHandler(db.sql);
    reverse = new ReverseTransferHandler(db.sql);
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
  }, 60_000);

  const snapshot = () =>
    db.sql.rows(
      `SELECT 'posting' AS kind, to_jsonb(p) AS row FROM ledger.postings p
       UNION ALL SELECT 'entry', to_jsonb(e) FROM ledger.entries e
       UNION ALL SELECT 'balance', to_jsonb(b) FROM ledger.balances b
       ORDER BY 1, 2`,
    );

  async function funded(amount: number): Promise<string> {
    const accountId = randomUUID();
    await deposit.execute({ depositId: randomUUID(), accountId, amount, currency: 'EUR' });
    return accountId;
  }

  async function posted(): Promise<string> {
    const transferId = randomUUID();
    await post.execute({ transferId, fromAccountId: await funded(1_000), toAccountId: randomUUID(), amount: 300, currency: 'EUR' });
    return transferId;
  }

  const commands: [string, () => Promise<() => Promise<unknown>>][] = [
    [
      'post (a transfer)',
      async () => {
        const cmd = {
          transferId: randomUUID(),
          fromAccountId: await funded(1_000),
          toAccountId: randomUUID(),
          amount: 300,
          currency: 'EUR',
        };
        return () => post.execute({ ...cmd });
      },
    ],
    [
      'post (a deposit)',
      () => {
        const cmd = { depositId: randomUUID(), accountId: randomUUID(), amount: 300, currency: 'EUR' };
        return Promise.resolve(() => deposit.execute({ ...cmd }));
      },
    ],
    [
      'reverse (a booked transfer)',
      async () => {
        const transferId = await posted();
        return () => reverse.execute({ transferId });
      },
    ],
    [
      'reverse (nothing booked: a VOID)',
      () => {
        const transferId = randomUUID();
        return Promise.resolve(() => reverse.execute({ transferId }));
      },
    ],
  ];

  it.each(commands)('%s: a replay answers the same and changes nothing', async (_name, prepare) => {
    const run = await prepare();
    const first = await run();
    const before = await snapshot();

    const replies = [await run(), ...(await Promise.all([run(), run(), run()]))];

    expect(replies).toEqual([first, first, first, first]);
    expect(await snapshot()).toEqual(before);
  });
});
