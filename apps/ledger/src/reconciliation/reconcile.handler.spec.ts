import { randomUUID } from 'node:crypto';
import type { RpcClient } from '@bank/common';
import { AccountsPatterns, DomainError, type AccountBalance, type ListBalancesQuery } from '@bank/contracts';
import { createTestDatabase, type TestDatabase } from '@bank/testing';
import { PostDepositHandler } from '../postings/post-deposit.handler.js';
import { PostTransferHandler } from '../postings/post-transfer.handler.js';
import { RECONCILE_PAGE_SIZE, ReconcileHandler } from './reconcile.handler.js';
import { LEDGER_SCHEMA } from '../ledger.schema.js';
import { ledgerMigrations } from '../migrations/index.js';

/** Test double of the accounts service: pages its balances by id as accounts.list-balances does. */
class FakeAccounts implements Pick<RpcClient, 'send'> {
  readonly calls: { pattern: string; payload: ListBalancesQuery }[] = [];
  failWith: DomainError | null = null;

  constructor(private readonly balances: AccountBalance[]) {}

  send<TReply>(pattern: string, payload: object): Promise<TReply> {
    const query = payload as ListBalancesQuery;
    this.calls.push({ pattern, payload: query });
    if (this.failWith) return Promise.reject(this.failWith);
    // Lower-case hex uuids sort as strings exactly as Postgres sorts uuids (byte order).
    const sorted = [...this.balances].sort((x, y) => (x.accountId < y.accountId ? -1 : 1));
    const after = query.afterAccountId;
    const page = sorted.filter((b) => after === undefined || b.accountId > after).slice(0, query.limit ?? 1000);
    return Promise.resolve(page as TReply);
  }
}

describe('ReconcileHandler (real Postgres, fake accounts service)', () => {
  let db: TestDatabase;
  let deposit: PostDepositHandler;
  let post: PostTransferHandler;

  beforeEach(async () => {
    // A fresh journal per case: reconciliation reads all of it.
    db = await createTestDatabase({ schema: LEDGER_SCHEMA, migrations: ledgerMigrations, poolSize: 4 });
    deposit = new PostDepositHandler(db.sql);
    post = new PostTransferHandler(db.sql);
  }, 60_000);

  afterEach(async () => {
    await db?.drop();
  }, 60_000);

  const account = (accountId: string, balance: number, currency = 'EUR'): AccountBalance => ({
    accountId,
    currency,
    balance,
    availableBalance: balance,
  });

  it('reports ok when every balance matches and the journal sums to 0 per currency', async () => {
    const [a, b, c, usd] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await deposit.execute({ depositId: randomUUID(), accountId: a, amount: 500, currency: 'EUR' });
    await post.execute({ transferId: randomUUID(), fromAccountId: a, toAccountId: b, amount: 120, currency: 'EUR' });
    await deposit.execute({ depositId: randomUUID(), accountId: usd, amount: 7, currency: 'USD' });
    const accounts = new FakeAccounts([account(a, 380), account(b, 120), account(c, 0), account(usd, 7, 'USD')]);

    const reply = await new ReconcileHandler(db.sql, accounts).execute();

    expect(reply).toEqual({
      ok: true,
      accountsChecked: 4,
      mismatches: [],
      journalTotals: { EUR: 0, USD: 0 },
      checkedAt: expect.any(String) as string,
    });
    expect(accounts.calls).toEqual([{ pattern: AccountsPatterns.ListBalances, payload: { limit: RECONCILE_PAGE_SIZE } }]);
  });

  it('pages through every account and reports each difference, on either side', async () => {
    // More than one page of accounts, most of them never booked (0 on both sides).
    const ids = Array.from({ length: RECONCILE_PAGE_SIZE + 3 }, () => randomUUID()).sort();
    const drifted = ids[10];
    const unbooked = ids[RECONCILE_PAGE_SIZE + 1];
    const matching = ids[RECONCILE_PAGE_SIZE - 1];
    await deposit.execute({ depositId: randomUUID(), accountId: drifted, amount: 100, currency: 'EUR' });
    await deposit.execute({ depositId: randomUUID(), accountId: matching, amount: 60, currency: 'EUR' });
    // Ledger rows the accounts service does not know: one inside the first page's range, one beyond the last.
    const strayInside = `${ids[5].slice(0, 35)}${ids[5].endsWith('f') ? 'e' : 'f'}`;
    const strayBeyond = 'ffffffff-ffff-4fff-bfff-ffffffffffff';
    await deposit.execute({ depositId: randomUUID(), accountId: strayInside, amount: 3, currency: 'EUR' });
    await deposit.execute({ depositId: randomUUID(), accountId: strayBeyond, amount: 4, currency: 'EUR' });
    const balances = ids.map((id) => account(id, 0));
    balances[10] = account(drifted, 90);
    balances[RECONCILE_PAGE_SIZE + 1] = account(unbooked, 25);
    balances[RECONCILE_PAGE_SIZE - 1] = account(matching, 60);
    const accounts = new FakeAccounts(balances.filter((b) => b.accountId !== strayInside));

    const reply = await new ReconcileHandler(db.sql, accounts).execute();

    expect(reply.ok).toBe(false);
    expect(reply.accountsChecked).toBe(ids.length);
    expect(reply.journalTotals).toEqual({ EUR: 0 });
    expect(reply.mismatches).toHaveLength(4);
    expect(reply.mismatches).toEqual(
      expect.arrayContaining([
        { accountId: drifted, ledgerBalance: 100, accountsBalance: 90 },
        { accountId: unbooked, ledgerBalance: null, accountsBalance: 25 },
        { accountId: strayInside, ledgerBalance: 3, accountsBalance: null },
        { accountId: strayBeyond, ledgerBalance: 4, accountsBalance: null },
      ]),
    );
    expect(accounts.calls.map((c) => c.payload)).toEqual([
      { limit: RECONCILE_PAGE_SIZE },
      { afterAccountId: ids[RECONCILE_PAGE_SIZE - 1], limit: RECONCILE_PAGE_SIZE },
    ]);
  }, 60_000);

  it('reports an account kept in another currency by the ledger', async () => {
    const a = randomUUID();
    await deposit.execute({ depositId: randomUUID(), accountId: a, amount: 10, currency: 'EUR' });

    const reply = await new ReconcileHandler(db.sql, new FakeAccounts([account(a, 10, 'USD')])).execute();

    expect(reply.ok).toBe(false);
    expect(reply.mismatches).toEqual([{ accountId: a, ledgerBalance: 10, accountsBalance: 10 }]);
  });

  it('passes on the failure of the accounts service', async () => {
    const accounts = new FakeAccounts([]);
    accounts.failWith = new DomainError('DEPENDENCY_TIMEOUT', 'accounts did not answer');

    await expect(new ReconcileHandler(db.sql, accounts).execute()).rejects.toMatchObject({ code: 'DEPENDENCY_TIMEOUT' });
  });
});
