import { randomUUID } from 'node:crypto';
import { pgConstraint, pgErrorCode, type SqlRunner } from '@bank/database';
import { createTestDatabase, type TestDatabase } from '@bank/testing';
import { settlementAccountId } from '../postings/settlement-account.js';
import { LEDGER_SCHEMA } from '../ledger.schema.js';
import { ledgerMigrations } from './index.js';

/**
 * The journal's invariants are the database's, so these specs go around the handlers with raw SQL
 * and check that Postgres itself refuses what must never be written.
 */
describe('ledger schema (real Postgres)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase({ schema: LEDGER_SCHEMA, migrations: ledgerMigrations });
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
  }, 60_000);

  interface Leg {
    account: string;
    amount: number;
    balanceAfter: number | null;
    currency?: string;
  }

  async function insertPosting(
    tx: SqlRunner,
    kind: string,
    transferId: string | null,
    currency: string | null,
    depositId: string | null = null,
  ): Promise<string> {
    const [row] = await tx.rows<{ id: string }>(
      `INSERT INTO ledger.postings (kind, transfer_id, deposit_id, currency) VALUES ($1, $2, $3, $4) RETURNING id`,
      [kind, transferId, depositId, currency],
    );
    return row.id;
  }

  async function insertEntries(tx: SqlRunner, postingId: string, legs: Leg[]): Promise<void> {
    for (const leg of legs) {
      await tx.rows(`INSERT INTO ledger.entries (posting_id, account_id, amount, currency, balance_after) VALUES ($1, $2, $3, $4, $5)`, [
        postingId,
        leg.account,
        leg.amount,
        leg.currency ?? 'EUR',
        leg.balanceAfter,
      ]);
    }
  }

  /** Books a raw posting in its own transaction; resolves to its id or rejects with the database's error. */
  function book(kind: string, transferId: string | null, legs: Leg[], currency: string | null = 'EUR'): Promise<string> {
    return db.sql.transaction(async (tx) => {
      const id = await insertPosting(tx, kind, transferId, currency);
      await insertEntries(tx, id, legs);
      return id;
    });
  }

  /** The database's refusal of `work`, whichever layer (pg or TypeORM) carried it; fails if nothing was refused. */
  async function refusal(work: Promise<unknown>): Promise<{ code?: string; constraint?: string; message: string }> {
    try {
      await work;
    } catch (error) {
      return { code: pgErrorCode(error), constraint: pgConstraint(error), message: (error as Error).message };
    }
    throw new Error('expected the database to refuse, but it accepted');
  }

  const transfer = (from: string, to: string, amount: number): Leg[] => [
    { account: from, amount: -amount, balanceAfter: 0 },
    { account: to, amount, balanceAfter: amount },
  ];

  async function count(sql: string, params: unknown[]): Promise<number> {
    const [row] = await db.sql.rows<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params);
    return row.n;
  }

  it('accepts a balanced posting', async () => {
    const id = await book('TRANSFER', randomUUID(), transfer(randomUUID(), randomUUID(), 500));
    expect(await count(`ledger.entries WHERE posting_id = $1`, [id])).toBe(2);
  });

  it('refuses at commit a posting whose entries do not sum to 0', async () => {
    const transferId = randomUUID();
    expect(
      await refusal(
        book('TRANSFER', transferId, [
          { account: randomUUID(), amount: -500, balanceAfter: 0 },
          { account: randomUUID(), amount: 499, balanceAfter: 499 },
        ]),
      ),
    ).toMatchObject({ code: '23514', constraint: 'posting_balanced' });
    expect(await count(`ledger.postings WHERE transfer_id = $1`, [transferId])).toBe(0);
  });

  it("refuses an entry in another currency than its posting's", async () => {
    const transferId = randomUUID();
    expect(
      await refusal(
        book('TRANSFER', transferId, [
          { account: randomUUID(), amount: -500, balanceAfter: 0 },
          { account: randomUUID(), amount: 500, balanceAfter: 500, currency: 'USD' },
        ]),
      ),
    ).toMatchObject({ code: '23503', constraint: 'entry_of_posting' });
  });

  it('refuses a later entry that unbalances an existing posting', async () => {
    const id = await book('TRANSFER', randomUUID(), transfer(randomUUID(), randomUUID(), 10));
    expect(
      await refusal(db.sql.transaction((tx) => insertEntries(tx, id, [{ account: randomUUID(), amount: 10, balanceAfter: 10 }]))),
    ).toMatchObject({ constraint: 'posting_balanced' });
    expect(await count(`ledger.entries WHERE posting_id = $1`, [id])).toBe(2);
  });

  it('refuses a posting without entries, and a VOID with entries', async () => {
    expect(await refusal(book('TRANSFER', randomUUID(), []))).toMatchObject({ constraint: 'posting_complete' });
    expect(await refusal(book('VOID', randomUUID(), transfer(randomUUID(), randomUUID(), 1), null))).toMatchObject({ code: '23503' });
    await expect(book('VOID', randomUUID(), [], null)).resolves.toEqual(expect.any(String));
  });

  it('refuses an UPDATE, a DELETE and a TRUNCATE of the journal', async () => {
    const id = await book('TRANSFER', randomUUID(), transfer(randomUUID(), randomUUID(), 70));
    expect((await refusal(db.sql.rows(`UPDATE ledger.entries SET amount = amount * 2 WHERE posting_id = $1`, [id]))).message).toMatch(
      /append-only: UPDATE/,
    );
    expect((await refusal(db.sql.rows(`DELETE FROM ledger.entries WHERE posting_id = $1`, [id]))).message).toMatch(/append-only: DELETE/);
    expect((await refusal(db.sql.rows(`UPDATE ledger.postings SET kind = 'VOID' WHERE id = $1`, [id]))).message).toMatch(
      /append-only: UPDATE/,
    );
    expect((await refusal(db.sql.rows(`DELETE FROM ledger.postings WHERE id = $1`, [id]))).message).toMatch(/append-only: DELETE/);
    expect((await refusal(db.sql.rows(`TRUNCATE ledger.entries, ledger.postings`))).message).toMatch(/append-only: TRUNCATE/);
    const [entries] = await db.sql.rows<{ total: string; n: number }>(
      `SELECT sum(abs(amount))::text AS total, count(*)::int AS n FROM ledger.entries WHERE posting_id = $1`,
      [id],
    );
    expect(entries).toEqual({ total: '140', n: 2 });
  });

  it('keeps one TRANSFER or VOID per transfer: each blocks the other', async () => {
    const voided = randomUUID();
    await book('VOID', voided, [], null);
    expect(await refusal(book('TRANSFER', voided, transfer(randomUUID(), randomUUID(), 5)))).toMatchObject({
      code: '23505',
      constraint: 'postings_transfer_or_void',
    });
    const booked = randomUUID();
    await book('TRANSFER', booked, transfer(randomUUID(), randomUUID(), 5));
    expect(await refusal(book('VOID', booked, [], null))).toMatchObject({ code: '23505', constraint: 'postings_transfer_or_void' });
    expect(await refusal(book('TRANSFER', booked, transfer(randomUUID(), randomUUID(), 5)))).toMatchObject({ code: '23505' });
  });

  it('allows a REVERSAL only of a booked transfer, exactly once, undoing exactly its entries', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    expect(await refusal(book('REVERSAL', randomUUID(), transfer(b, a, 5)))).toMatchObject({ constraint: 'reversal_undoes_transfer' });
    const transferId = randomUUID();
    await book('TRANSFER', transferId, transfer(a, b, 5));
    expect(await refusal(book('REVERSAL', transferId, transfer(b, a, 4)))).toMatchObject({ constraint: 'reversal_undoes_transfer' });
    await expect(book('REVERSAL', transferId, transfer(b, a, 5))).resolves.toEqual(expect.any(String));
    expect(await refusal(book('REVERSAL', transferId, transfer(b, a, 5)))).toMatchObject({
      code: '23505',
      constraint: 'postings_reversal',
    });
  });

  it('keeps one DEPOSIT per deposit id', async () => {
    const depositId = randomUUID();
    const deposit = (account: string) =>
      db.sql.transaction(async (tx) => {
        const id = await insertPosting(tx, 'DEPOSIT', null, 'EUR', depositId);
        await insertEntries(tx, id, [
          { account: settlementAccountId('EUR'), amount: -9, balanceAfter: null },
          { account, amount: 9, balanceAfter: 9 },
        ]);
      });
    await deposit(randomUUID());
    expect(await refusal(deposit(randomUUID()))).toMatchObject({ code: '23505', constraint: 'postings_deposit' });
  });

  it('gives a running balance to customer entries only, never to the settlement account', async () => {
    const settlement = settlementAccountId('EUR');
    // The TypeScript formula and the SQL function agree.
    const [sqlId] = await db.sql.rows<{ id: string }>(`SELECT ledger.settlement_account('EUR') AS id`);
    expect(sqlId.id).toBe(settlement);
    expect(
      await refusal(
        book('TRANSFER', randomUUID(), [
          { account: randomUUID(), amount: -3, balanceAfter: null },
          { account: randomUUID(), amount: 3, balanceAfter: 3 },
        ]),
      ),
    ).toMatchObject({ code: '23514', constraint: 'entry_balance_after_iff_customer' });
    expect(
      await refusal(
        book('TRANSFER', randomUUID(), [
          { account: settlement, amount: -3, balanceAfter: -3 },
          { account: randomUUID(), amount: 3, balanceAfter: 3 },
        ]),
      ),
    ).toMatchObject({ constraint: 'entry_balance_after_iff_customer' });
    expect(
      await refusal(db.sql.rows(`INSERT INTO ledger.balances (account_id, currency, balance) VALUES ($1, 'EUR', 0)`, [settlement])),
    ).toMatchObject({ constraint: 'balance_not_settlement' });
  });

  it('refuses a zero amount', async () => {
    expect(await refusal(book('TRANSFER', randomUUID(), [{ account: randomUUID(), amount: 0, balanceAfter: 0 }]))).toMatchObject({
      constraint: 'entry_amount_not_zero',
    });
  });

  it('runs the journal checks without sequential scans, so a plan made on a tiny journal cannot outlive it', async () => {
    const rows = await db.sql.rows<{ proname: string; proconfig: string[] | null }>(
      `SELECT proname, proconfig FROM pg_proc WHERE pronamespace = 'ledger'::regnamespace AND proname LIKE 'assert_posting_%' ORDER BY proname`,
    );
    expect(rows).toEqual([
      { proname: 'assert_posting_balanced', proconfig: ['enable_seqscan=off'] },
      { proname: 'assert_posting_complete', proconfig: ['enable_seqscan=off'] },
    ]);
  });
});
