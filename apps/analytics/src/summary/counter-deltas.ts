import { EventTypes } from '@bank/contracts';
import { isEventOfType, type InboundEvent } from '@bank/messaging';

export type Metric =
  'transfers_completed' | 'transfers_failed' | 'transfer_volume' | 'deposits' | 'deposit_volume' | 'customers' | 'accounts';

export interface CounterDelta {
  metric: Metric;
  /** '' for counts without a currency. */
  currency: string;
  /** Exact: a batch of amounts near the balance cap sums past 2^53. */
  delta: bigint;
}

/**
 * Sums a batch of events into one delta per counter, in a stable order (metric, currency) so
 * concurrent batches lock the counter rows in the same order and never deadlock.
 */
export function counterDeltas(events: readonly InboundEvent[]): CounterDelta[] {
  const sums = new Map<string, CounterDelta>();
  const add = (metric: Metric, currency: string, delta: bigint) => {
    const key = `${metric}\u0000${currency}`;
    const entry = sums.get(key);
    if (entry) entry.delta += delta;
    else sums.set(key, { metric, currency, delta });
  };
  for (const event of events) {
    if (isEventOfType(event, EventTypes.TransferCompleted)) {
      add('transfers_completed', '', 1n);
      add('transfer_volume', event.data.currency, BigInt(event.data.amount));
    } else if (isEventOfType(event, EventTypes.TransferFailed)) {
      add('transfers_failed', '', 1n);
    } else if (isEventOfType(event, EventTypes.DepositCompleted)) {
      add('deposits', '', 1n);
      add('deposit_volume', event.data.currency, BigInt(event.data.amount));
    } else if (isEventOfType(event, EventTypes.CustomerRegistered)) {
      add('customers', '', 1n);
    } else if (isEventOfType(event, EventTypes.AccountOpened)) {
      add('accounts', '', 1n);
    }
  }
  return [...sums.values()].sort((a, b) =>
    a.metric === b.metric ? (a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0) : a.metric < b.metric ? -1 : 1,
  );
}
