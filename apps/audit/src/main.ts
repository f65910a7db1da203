import 'reflect-metadata';
import { loadConfigOrExit } from '@bank/common/config';
import { AuditConfig } from './config/audit.config.js';

const config = loadConfigOrExit(AuditConfig, 'audit');

// Only now the heavy modules (Nest, TypeORM, ...): a bad variable above fails the boot at once, naming it.
const { bootstrap } = await import('@bank/common');
const { runServiceMigrations } = await import('@bank/database');
const { AUDIT_SCHEMA } = await import('./audit.schema.js');
const { AuditModule } = await import('./audit.module.js');
const { auditMigrations } = await import('./migrations/index.js');

if (process.argv.includes('--migrate')) {
  const applied = await runServiceMigrations({ schema: AUDIT_SCHEMA, url: config.DATABASE_URL, migrations: auditMigrations });
  process.stdout.write(`${JSON.stringify({ service: 'audit', migrations: applied })}\n`);
} else {
  await bootstrap({
    service: 'audit',
    module: AuditModule.forRoot(config),
    httpPort: config.AUDIT_HTTP_PORT,
    bindHost: config.BIND_HOST,
    certsDir: config.CERTS_DIR,
    logLevel: config.LOG_LEVEL,
  });
}
