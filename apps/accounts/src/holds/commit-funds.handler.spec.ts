import { randomUUID } from 'node:crypto';
import { pgErrorCode, PgErrorCodes } from '@bank/database';
import type { TestDatabase } from '@bank/testing';
import { balances, createAccountsTestDatabase, moneySnapshot, openFunded, reserveCommand } from '../testing/accounts-fixtures.js';
import { CommitFundsHandler } from './commit-funds.handler.js';
import { ReleaseFundsHandler } from './release-funds.handler.js';
import { ReserveFundsHandler } from './reserve-funds.handler.js';

describe('CommitFundsHandler (real Postgres)', () => {
  let db: TestDatabase;
  let reserve: ReserveFundsHandler;
  let commit: CommitFundsHandler;

  beforeAll(async () => {
    db = await createAccountsTestDatabase();
    reserve = new ReserveFundsHandler(db.sql);
    commit = new CommitFundsHandler(db.sql);
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
  }, 60_000);

  async function reserved(fromAmount: number, amount: number) {
    const from = await openFunded(db, fromAmount);
    const to = await openFunded(db, 50);
    const cmd = reserveCommand(from, to, amount);
    await reserve.execute(cmd);
    return { from, to, transferId: cmd.transferId };
  }

  it('captures the hold: the source loses the amount, the destination gains it, both balances at once', async () => {
    const { from, to, transferId } = await reserved(1_000, 300);

    expect(await commit.execute({ transferId })).toEqual({ transferId, status: 'CAPTURED' });

    expect(await balances(db, from.id)).toEqual({ balance: 700, available: 700 });
    expect(await balances(db, to.id)).toEqual({ balance: 350, available: 350 });
  });

  it('commits exactly the whole balance down to zero', async () => {
    const { from, to, transferId } = await reserved(1_000, 1_000);

    await commit.execute({ transferId });

    expect(await balances(db, from.id)).toEqual({ balance: 0, available: 0 });
    expect(await balances(db, to.id)).toEqual({ balance: 1_050, available: 1_050 });
  });

  it('refuses (in the database) a hold one unit larger than the balance behind it, and changes nothing', async () => {
    // The reserve never makes such a hold; the commit must not trust that it never will.
    const { from, transferId } = await reserved(1_000, 1_000);
    await db.sql.rows(`UPDATE accounts.holds SET amount = amount + 1 WHERE transfer_id = $1 RETURNING amount`, [transferId]);
    const before = await moneySnapshot(db);

    const refusal = await commit.execute({ transferId }).catch((error: unknown) => error);

    expect(pgErrorCode(refusal)).toBe(PgErrorCodes.CheckViolation);
    expect(await moneySnapshot(db)).toEqual(before);
    expect(await balances(db, from.id)).toEqual({ balance: 1_000, available: 0 });
  });

  it('is idempotent: a replay answers the same and moves no money again', async () => {
    const { from, to, transferId } = await reserved(1_000, 400);
    const first = await commit.execute({ transferId });
    const before = await moneySnapshot(db);

    const replies = [
      await commit.execute({ transferId }),
      ...(await Promise.all([commit.execute({ transferId }), commit.execute({ transferId })])),
    ];

    expect(replies).toEqual([first, first, first]);
    expect(await moneySnapshot(db)).toEqual(before);
    expect(await balances(db, from.id)).toEqual({ balance: 600, available: 600 });
    expect(await balances(db, to.id)).toEqual({ balance: 450, available: 450 });
  });

  it('captures once when the same commit arrives many times at once', async () => {
    const { from, to, transferId } = await reserved(1_000, 10);

    const replies = await Promise.all(Array.from({ length: 6 }, () => commit.execute({ transferId })));

    expect(replies.every((r) => r.status === 'CAPTURED')).toBe(true);
    expect(await balances(db, from.id)).toEqual({ balance: 990, available: 990 });
    expect(await balances(db, to.id)).toEqual({ balance: 60, available: 60 });
  });

  it('refuses (INVALID_STATE) a transfer without a hold and a released one, changing nothing', async () => {
    const { transferId } = await reserved(1_000, 100);
    await new ReleaseFundsHandler(db.sql).execute({ transferId });
    const before = await moneySnapshot(db);

    await expect(commit.execute({ transferId: randomUUID() })).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await expect(commit.execute({ transferId })).rejects.toMatchObject({ code: 'INVALID_STATE' });
    expect(await moneySnapshot(db)).toEqual(before);
  });
});
