/**
 * DI tokens of the orchestrator's clients of other services, bound in `orchestrator.module.ts` (one
 * `RpcClient` each). Every folder of the app that calls a service injects it by these.
 */
export const ACCOUNTS_RPC = 'ACCOUNTS_RPC';
export const LEDGER_RPC = 'LEDGER_RPC';
export const AUTH_RPC = 'AUTH_RPC';
export const NOTIFICATIONS_RPC = 'NOTIFICATIONS_RPC';
