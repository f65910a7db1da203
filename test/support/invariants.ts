import type { TestSystem } from './test-system.js';

export interface MoneyReport {
  accounts: number;
  totalBalance: number;
  totalDeposited: number;
  negativeBalances: number;
  reservedHolds: number;
  pendingTransfers: number;
  reconciliationOk: boolean;
  mismatches: unknown[];
  journalTotals: Record<string, number>;
}

/**
 * The bank's invariants, read from the source of truth of each service: money is conserved (every
 * balance adds up to what entered by deposits), nothing is negative, no hold is left behind once
 * the sagas are done, the ledger agrees with accounts for every account, and the journal balances.
 */
export async function moneyReport(system: TestSystem): Promise<MoneyReport> {
  const [accounts] = (
    await system.db.query<{ n: number; total: string; negative: number }>(
      `SELECT count(*)::int AS n, COALESCE(sum(balance), 0)::text AS total,
              count(*) FILTER (WHERE balance < 0 OR available_balance < 0)::int AS negative
         FROM accounts.accounts`,
    )
  ).rows;
  const [deposits] = (await system.db.query<{ total: string }>(`SELECT COALESCE(sum(amount), 0)::text AS total FROM accounts.deposits`))
    .rows;
  const [holds] = (await system.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM accounts.holds WHERE status = 'RESERVED'`)).rows;
  const [pending] = (await system.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM orchestrator.transfers WHERE status = 'PENDING'`))
    .rows;
  const reconciliation = await system.http('ledger').get('/reconciliation').expect(200);
  const body = reconciliation.body as { ok: boolean; mismatches: unknown[]; journalTotals: Record<string, number> };
  return {
    accounts: accounts.n,
    totalBalance: Number(accounts.total),
    totalDeposited: Number(deposits.total),
    negativeBalances: accounts.negative,
    reservedHolds: holds.n,
    pendingTransfers: pending.n,
    reconciliationOk: body.ok,
    mismatches: body.mismatches,
    journalTotals: body.journalTotals,
  };
}

/** Asserts every invariant at a quiet moment (no saga running). */
export async function expectInvariants(system: TestSystem): Promise<MoneyReport> {
  const report = await moneyReport(system);
  expect(report.pendingTransfers).toBe(0);
  expect(report.totalBalance).toBe(report.totalDeposited);
  expect(report.negativeBalances).toBe(0);
  if (report.reservedHolds > 0) {
    // Say which sagas left them, to make a failure readable.
    const left = await system.db.query(
      `SELECT h.transfer_id, h.amount, t.status, t.step, t.failure_code, t.steps
         FROM accounts.holds h LEFT JOIN orchestrator.transfers t ON t.id = h.transfer_id WHERE h.status = 'RESERVED'`,
    );
    expect(left.rows).toEqual([]);
  }
  expect(report.mismatches).toEqual([]);
  expect(report.reconciliationOk).toBe(true);
  for (const total of Object.values(report.journalTotals)) expect(total).toBe(0);
  return report;
}
