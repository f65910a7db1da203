import { CreateAccounts1764000000000 } from './1764000000000-create-accounts.migration.js';
import { CountAccountsPerCustomer1764000000100 } from './1764000000100-count-accounts-per-customer.migration.js';
import { AccountsOutboxParking1764900000000 } from './1764900000000-outbox-parking.migration.js';
import { AccountsTraceContext1765000000000 } from './1765000000000-trace-context.migration.js';

/** In order; the migrate step and the tests run exactly these. */
export const accountsMigrations = [
  CreateAccounts1764000000000,
  CountAccountsPerCustomer1764000000100,
  AccountsOutboxParking1764900000000,
  AccountsTraceContext1765000000000,
];
