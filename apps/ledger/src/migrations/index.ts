import { CreateLedger1764100000000 } from './1764100000000-create-ledger.migration.js';

/** In order; the migrate step and the tests run exactly these. */
export const ledgerMigrations = [CreateLedger1764100000000];
