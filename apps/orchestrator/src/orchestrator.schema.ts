/** The Postgres schema this service owns: saga state, idempotency, its outbox. */
export const ORCHESTRATOR_SCHEMA = 'orchestrator';
