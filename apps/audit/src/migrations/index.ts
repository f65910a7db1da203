import { CreateAudit1764600000000 } from './1764600000000-create-audit.migration.js';
import { ChainCheckByIndex1764600000100 } from './1764600000100-chain-check-by-index.migration.js';
import { CreateCheckpoints1764600000200 } from './1764600000200-create-checkpoints.migration.js';
import { AuditInboxAttempts1765100000000 } from './1765100000000-inbox-attempts.migration.js';
import { AuditInboxFailures1765200000000 } from './1765200000000-inbox-failures.migration.js';

/** In order; the migrate step and the tests run exactly these. */
export const auditMigrations = [
  CreateAudit1764600000000,
  ChainCheckByIndex1764600000100,
  CreateCheckpoints1764600000200,
  AuditInboxAttempts1765100000000,
  AuditInboxFailures1765200000000,
];
