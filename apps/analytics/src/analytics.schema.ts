/** The Postgres schema this service owns. */
export const ANALYTICS_SCHEMA = 'analytics';
/** Its name as a subscriber: queues `analytics.events`, `analytics.events.dlq`, ... */
export const ANALYTICS_SUBSCRIBER = 'analytics';
