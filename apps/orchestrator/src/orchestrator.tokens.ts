/**
 * DI tokens of the orchestrator's clients of other services, bound in `orchestrator.module.ts` (one
 * `RpcClient` each). Every folder of the app that calls a service injects it by these.
 */
export const ACCOUNTS_RPC = 'ACCOUNTS_RPC';
export const LEDGER_RPC = 'LEDGER_RPC';
export const AUTH_RPC = 'AUTH_RPC';
export const NOTIFICATIONS_RPC = 'NOTIFICATIONS_RPC';

/** The sagas' SagaSettings (saga/saga.settings.ts), made from the config in `orchestrator.module.ts`. */
export const SAGA_SETTINGS = Symbol('SAGA_SETTINGS');
/** The timeline's TimelineSettings (transfers/transfer-timeline.service.ts): the subscribers' URLs and the orchestrator's identity. */
export const TIMELINE_SETTINGS = Symbol('TIMELINE_SETTINGS');
