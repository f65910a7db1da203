import { CreateAccounts1764000000000 } from './1764000000000-create-accounts.migration.js';
import { AccountsOutboxParking1764900000000 } from './1764900000000-outbox-parking.migration.js';

/** In order; the migrate step and the tests run exactly these. */
export const accountsMigrations = [CreateAccounts1764000000000, AccountsOutboxParking1764900000000];
