/** The Postgres schema this service owns. */
export const LEDGER_SCHEMA = 'ledger';
