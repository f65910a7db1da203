import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { Sql } from '@bank/database';
import type { Metric } from './counter-deltas.js';

export class GetAnalyticsSummaryQuery {}

/**
 * A counter as JSON: a number while it is exact as one (up to 2^53-1, which JSON parsers such as
 * JavaScript's keep exact), past that the exact decimal digits as a string. A client that sums or
 * compares should accept both (e.g. `BigInt(value)`).
 */
export type Count = number | string;

export function exactCount(value: string): Count {
  const n = BigInt(value);
  return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString();
}

/** Contract: GET :3006/analytics/summary. */
export interface AnalyticsSummary {
  transfers: { completed: Count; failed: Count };
  volume: Record<string, Count>;
  deposits: { count: Count; volume: Record<string, Count> };
  customers: Count;
  accounts: Count;
  /** When a counter last changed; null before the first event. */
  updatedAt: string | null;
}

@QueryHandler(GetAnalyticsSummaryQuery)
export class GetAnalyticsSummaryHandler implements IQueryHandler<GetAnalyticsSummaryQuery, AnalyticsSummary> {
  constructor(private readonly db: Sql) {}

  async execute(): Promise<AnalyticsSummary> {
    // value::text: pg hands numerics over as strings anyway; the cast says so.
    const rows = await this.db.rows<{ metric: Metric; currency: string; value: string; updated_at: Date }>(
      `SELECT metric, currency, value::text AS value, updated_at FROM analytics.counters ORDER BY metric, currency`,
    );
    const summary: AnalyticsSummary = {
      transfers: { completed: 0, failed: 0 },
      volume: {},
      deposits: { count: 0, volume: {} },
      customers: 0,
      accounts: 0,
      updatedAt: null,
    };
    let latest = 0;
    for (const row of rows) {
      const value = exactCount(row.value);
      latest = Math.max(latest, row.updated_at.getTime());
      switch (row.metric) {
        case 'transfers_completed':
          summary.transfers.completed = value;
          break;
        case 'transfers_failed':
          summary.transfers.failed = value;
          break;
        case 'transfer_volume':
          summary.volume[row.currency] = value;
          break;
        case 'deposits':
          summary.deposits.count = value;
          break;
        case 'deposit_volume':
          summary.deposits.volume[row.currency] = value;
          break;
        case 'customers':
          summary.customers = value;
          break;
        case 'accounts':
          summary.accounts = value;
          break;
      }
    }
    summary.updatedAt = latest > 0 ? new Date(latest).toISOString() : null;
    return summary;
  }
}
