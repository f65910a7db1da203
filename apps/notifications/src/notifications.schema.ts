/** The Postgres schema this service owns. */
export const NOTIFICATIONS_SCHEMA = 'notifications';
