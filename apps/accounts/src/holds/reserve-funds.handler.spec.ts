import { randomUUID } from 'node:crypto';
import type { TestDatabase } from '@bank/testing';
import { balances, createAccountsTestDatabase, moneySnapshot, openFunded, reserveCommand } from '../testing/accounts-fixtures.js';
import { ReleaseFundsHandler } from './release-funds.handler.js';
import { ReserveFundsHandler } from './reserve-funds.handler.js';

describe('ReserveFundsHandler (real Postgres)', () => {
  let db: TestDatabase;
  let reserve: ReserveFundsHandler;

  beforeAll(async () => {
    db = await createAccountsTestDatabase();
    reserve = new ReserveFundsHandler(db.sql);
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
  }, 60_000);

  const holdsOf = (transferId: string) => db.sql.rows(`SELECT status, amount FROM accounts.holds WHERE transfer_id = $1`, [transferId]);

  it('holds the amount: the available balance drops, the balance stays, and names the receiver', async () => {
    const from = await openFunded(db, 1_000);
    const to = await openFunded(db, 0);
    const cmd = reserveCommand(from, to, 300);

    expect(await reserve.execute(cmd)).toEqual({ transferId: cmd.transferId, status: 'RESERVED', toCustomerId: to.customerId });

    expect(await balances(db, from.id)).toEqual({ balance: 1_000, available: 700 });
    expect(await balances(db, to.id)).toEqual({ balance: 0, available: 0 });
    expect(await holdsOf(cmd.transferId)).toEqual([{ status: 'RESERVED', amount: '300' }]);
  });

  it('reserves exactly the available balance, and refuses one minor unit more with INSUFFICIENT_FUNDS, writing nothing', async () => {
    const to = await openFunded(db, 0);
    const exact = await openFunded(db, 1_000);
    await reserve.execute(reserveCommand(exact, to, 1_000));
    expect(await balances(db, exact.id)).toEqual({ balance: 1_000, available: 0 });

    const short = await openFunded(db, 1_000);
    const tooMuch = reserveCommand(short, to, 1_001);
    await expect(reserve.execute(tooMuch)).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
    expect(await balances(db, short.id)).toEqual({ balance: 1_000, available: 1_000 });
    expect(await holdsOf(tooMuch.transferId)).toEqual([]);
  });

  it('counts earlier holds: exactly what is left available is reservable, one unit more is not', async () => {
    const from = await openFunded(db, 1_000);
    const to = await openFunded(db, 0);
    await reserve.execute(reserveCommand(from, to, 400));

    await expect(reserve.execute(reserveCommand(from, to, 601))).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
    await reserve.execute(reserveCommand(from, to, 600));
    expect(await balances(db, from.id)).toEqual({ balance: 1_000, available: 0 });
    await expect(reserve.execute(reserveCommand(from, to, 1))).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
  });

  it('is idempotent: a replay answers the same and changes nothing', async () => {
    const from = await openFunded(db, 1_000);
    const to = await openFunded(db, 0);
    const cmd = reserveCommand(from, to, 250);
    const first = await reserve.execute(cmd);
    const before = await moneySnapshot(db);

    const replies = [await reserve.execute({ ...cmd }), ...(await Promise.all([reserve.execute({ ...cmd }), reserve.execute({ ...cmd })]))];

    expect(replies).toEqual([first, first, first]);
    expect(await moneySnapshot(db)).toEqual(before);
    expect(await balances(db, from.id)).toEqual({ balance: 1_000, available: 750 });
  });

  it('refuses a replay with other terms (INVALID_STATE) and changes nothing', async () => {
    const from = await openFunded(db, 1_000);
    const to = await openFunded(db, 0);
    const other = await openFunded(db, 0);
    const cmd = reserveCommand(from, to, 100);
    await reserve.execute(cmd);
    const before = await moneySnapshot(db);

    await expect(reserve.execute({ ...cmd, amount: 101 })).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await expect(reserve.execute({ ...cmd, toAccountId: other.id })).rejects.toMatchObject({ code: 'INVALID_STATE' });
    expect(await moneySnapshot(db)).toEqual(before);
  });

  it('takes nothing when the release arrived first (a late reserve finds the tombstone)', async () => {
    const from = await openFunded(db, 1_000);
    const to = await openFunded(db, 0);
    const cmd = reserveCommand(from, to, 100);
    await new ReleaseFundsHandler(db.sql).execute({ transferId: cmd.transferId });

    await expect(reserve.execute(cmd)).rejects.toMatchObject({ code: 'INVALID_STATE' });
    expect(await balances(db, from.id)).toEqual({ balance: 1_000, available: 1_000 });
  });

  it("refuses another customer's account, an unknown destination, another currency and the same account, writing nothing", async () => {
    const from = await openFunded(db, 1_000);
    const to = await openFunded(db, 0);
    const dollars = await openFunded(db, 0, 'USD');
    const before = await moneySnapshot(db);

    await expect(reserve.execute({ ...reserveCommand(from, to, 1), customerId: randomUUID() })).rejects.toMatchObject({
      code: 'ACCOUNT_NOT_FOUND',
      details: { side: 'source' },
    });
    await expect(reserve.execute({ ...reserveCommand(from, to, 1), toAccountId: randomUUID() })).rejects.toMatchObject({
      code: 'ACCOUNT_NOT_FOUND',
      details: { side: 'destination' },
    });
    await expect(reserve.execute(reserveCommand(from, dollars, 1))).rejects.toMatchObject({ code: 'CURRENCY_MISMATCH' });
    await expect(reserve.execute(reserveCommand(from, from, 1))).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await moneySnapshot(db)).toEqual(before);
  });
});
