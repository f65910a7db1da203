import 'reflect-metadata';
import { bootstrap, loadConfigOrExit } from '@bank/common';
import { runServiceMigrations } from '@bank/database';
import { AUDIT_SCHEMA } from './audit.schema.js';
import { AuditModule } from './audit.module.js';
import { AuditConfig } from './config/audit.config.js';
import { auditMigrations } from './migrations/index.js';

const config = loadConfigOrExit(AuditConfig, 'audit');

if (process.argv.includes('--migrate')) {
  const applied = await runServiceMigrations({ schema: AUDIT_SCHEMA, url: config.DATABASE_URL, migrations: auditMigrations });
  process.stdout.write(`${JSON.stringify({ service: 'audit', migrations: applied })}\n`);
} else {
  await bootstrap({
    service: 'audit',
    module: AuditModule.forRoot(config),
    httpPort: config.AUDIT_HTTP_PORT,
    logLevel: config.LOG_LEVEL,
  });
}
