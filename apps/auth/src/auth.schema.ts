/** The Postgres schema this service owns. */
export const AUTH_SCHEMA = 'auth';
