/** The Postgres schema this service owns. */
export const AUDIT_SCHEMA = 'audit';
/** Its name as a subscriber: queues `audit.events`, `audit.events.dlq`, ... */
export const AUDIT_SUBSCRIBER = 'audit';
