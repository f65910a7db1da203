import { randomUUID } from 'node:crypto';
import type { TestDatabase } from '@bank/testing';
import { balances, createAccountsTestDatabase, moneySnapshot, openFunded, reserveCommand } from '../testing/accounts-fixtures.js';
import { CommitFundsHandler } from './commit-funds.handler.js';
import { ReleaseFundsHandler } from './release-funds.handler.js';
import { ReserveFundsHandler } from './reserve-funds.handler.js';

describe('ReleaseFundsHandler (real Postgres)', () => {
  let db: TestDatabase;
  let reserve: ReserveFundsHandler;
  let release: ReleaseFundsHandler;

  beforeAll(async () => {
    db = await createAccountsTestDatabase();
    reserve = new ReserveFundsHandler(db.sql);
    release = new ReleaseFundsHandler(db.sql);
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
  }, 60_000);

  const holdOf = async (transferId: string) =>
    (await db.sql.rows<{ status: string }>(`SELECT status FROM accounts.holds WHERE transfer_id = $1`, [transferId]))[0];

  it('gives a reserved hold back to the available balance', async () => {
    const from = await openFunded(db, 1_000);
    const cmd = reserveCommand(from, await openFunded(db, 0), 300);
    await reserve.execute(cmd);

    expect(await release.execute({ transferId: cmd.transferId })).toEqual({ transferId: cmd.transferId, status: 'RELEASED' });

    expect(await balances(db, from.id)).toEqual({ balance: 1_000, available: 1_000 });
    expect(await holdOf(cmd.transferId)).toEqual({ status: 'RELEASED' });
  });

  it('is idempotent: a replay answers the same and gives nothing back twice', async () => {
    const from = await openFunded(db, 1_000);
    const to = await openFunded(db, 0);
    await reserve.execute(reserveCommand(from, to, 100));
    const cmd = reserveCommand(from, to, 300);
    await reserve.execute(cmd);
    const first = await release.execute({ transferId: cmd.transferId });
    const before = await moneySnapshot(db);

    const { transferId } = cmd;
    const replies = [
      await release.execute({ transferId }),
      ...(await Promise.all([release.execute({ transferId }), release.execute({ transferId })])),
    ];

    expect(replies).toEqual([first, first, first]);
    expect(await moneySnapshot(db)).toEqual(before);
    // The other hold of 100 is still held.
    expect(await balances(db, from.id)).toEqual({ balance: 1_000, available: 900 });
  });

  it('leaves a tombstone for a transfer it never saw, and a replay of that changes nothing', async () => {
    const transferId = randomUUID();
    expect(await release.execute({ transferId })).toEqual({ transferId, status: 'RELEASED' });
    expect(await holdOf(transferId)).toEqual({ status: 'RELEASED' });
    const before = await moneySnapshot(db);

    expect(await release.execute({ transferId })).toEqual({ transferId, status: 'RELEASED' });
    expect(await moneySnapshot(db)).toEqual(before);
  });

  it('refuses (INVALID_STATE) to release a captured hold, changing nothing', async () => {
    const from = await openFunded(db, 1_000);
    const cmd = reserveCommand(from, await openFunded(db, 0), 300);
    await reserve.execute(cmd);
    await new CommitFundsHandler(db.sql).execute({ transferId: cmd.transferId });
    const before = await moneySnapshot(db);

    await expect(release.execute({ transferId: cmd.transferId })).rejects.toMatchObject({ code: 'INVALID_STATE' });
    expect(await moneySnapshot(db)).toEqual(before);
  });
});
