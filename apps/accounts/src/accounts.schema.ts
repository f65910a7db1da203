/** The Postgres schema this service owns. */
export const ACCOUNTS_SCHEMA = 'accounts';
