import type { BackoffPolicy } from '@bank/common';

/** Tunables of the sagas, from the validated config. */
export interface SagaSettings {
  leaseMs: number;
  stepBudgetMs: number;
  maxBackoffMs: number;
  syncWaitMs: number;
  recoveryIntervalMs: number;
}

/** A saga step's retry waits from 100 ms, doubling, up to the configured cap, less up to a quarter of jitter. */
export function stepRetryPolicy(maxBackoffMs: number): BackoffPolicy {
  return { initialMs: 100, maxMs: maxBackoffMs, jitter: 0.25 };
}
