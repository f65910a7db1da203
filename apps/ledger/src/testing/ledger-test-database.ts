import { createServiceTestDatabase, type ServiceTestDatabase } from '@bank/testing';
import { LEDGER_SCHEMA } from '../ledger.schema.js';
import { ledgerMigrations } from '../migrations/index.js';

export type LedgerTestDatabase = ServiceTestDatabase;

/** A throwaway database with the ledger's migrations applied. */
export function createLedgerTestDatabase(poolSize = 10): Promise<LedgerTestDatabase> {
  return createServiceTestDatabase({ schema: LEDGER_SCHEMA, migrations: ledgerMigrations, poolSize });
}
