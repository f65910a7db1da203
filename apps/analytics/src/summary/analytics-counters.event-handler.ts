import { Injectable } from '@nestjs/common';
import { EventTypes } from '@bank/contracts';
import type { SqlRunner } from '@bank/database';
import { OnEvents, type InboundEvent, type InboundEventHandler } from '@bank/messaging';
import { counterDeltas } from './counter-deltas.js';

/**
 * Adds a batch's summed deltas to the counters: one upsert per batch, each row touched once. The
 * counters are exact `numeric`s, so no sum can overflow and no event is ever parked for arithmetic.
 */
@OnEvents(
  EventTypes.TransferCompleted,
  EventTypes.TransferFailed,
  EventTypes.DepositCompleted,
  EventTypes.CustomerRegistered,
  EventTypes.AccountOpened,
)
@Injectable()
export class AnalyticsCountersHandler implements InboundEventHandler {
  async handle(events: readonly InboundEvent[], tx: SqlRunner): Promise<void> {
    const deltas = counterDeltas(events);
    if (deltas.length === 0) return;
    await tx.rows(
      `INSERT INTO analytics.counters AS c (metric, currency, value, updated_at)
       SELECT d.metric, d.currency, d.delta, clock_timestamp()
         FROM unnest($1::text[], $2::text[], $3::numeric[]) WITH ORDINALITY AS d(metric, currency, delta, ord)
        ORDER BY d.ord
       ON CONFLICT (metric, currency) DO UPDATE SET value = c.value + EXCLUDED.value, updated_at = EXCLUDED.updated_at`,
      [deltas.map((d) => d.metric), deltas.map((d) => d.currency), deltas.map((d) => d.delta.toString())],
    );
  }
}
