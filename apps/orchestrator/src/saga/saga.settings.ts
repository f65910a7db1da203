/** Tunables of the sagas, from the validated config. */
export interface SagaSettings {
  leaseMs: number;
  stepBudgetMs: number;
  maxBackoffMs: number;
  syncWaitMs: number;
  recoveryIntervalMs: number;
}
export const SAGA_SETTINGS = Symbol('SAGA_SETTINGS');
export const ACCOUNTS_RPC = 'ACCOUNTS_RPC';
export const LEDGER_RPC = 'LEDGER_RPC';
export const AUTH_RPC = 'AUTH_RPC';
export const NOTIFICATIONS_RPC = 'NOTIFICATIONS_RPC';

/** Exponential backoff with jitter, capped. */
export function backoffMs(attempts: number, maxMs: number): number {
  return Math.round(Math.min(100 * 2 ** attempts, maxMs) * (0.75 + Math.random() / 4));
}
