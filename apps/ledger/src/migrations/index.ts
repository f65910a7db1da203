import { CreateLedger1764100000000 } from './1764100000000-create-ledger.migration.js';
import { JournalChecksByIndex1764100000100 } from './1764100000100-journal-checks-by-index.migration.js';

/** In order; the migrate step and the tests run exactly these. */
export const ledgerMigrations = [CreateLedger1764100000000, JournalChecksByIndex1764100000100];
