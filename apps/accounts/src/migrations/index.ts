import { CreateAccounts1764000000000 } from './1764000000000-create-accounts.migration.js';

/** In order; the migrate step and the tests run exactly these. */
export const accountsMigrations = [CreateAccounts1764000000000];
