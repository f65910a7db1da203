import { CreateAudit1764600000000 } from './1764600000000-create-audit.migration.js';
import { ChainCheckByIndex1764600000100 } from './1764600000100-chain-check-by-index.migration.js';

/** In order; the migrate step and the tests run exactly these. */
export const auditMigrations = [CreateAudit1764600000000, ChainCheckByIndex1764600000100];
