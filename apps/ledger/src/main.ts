import 'reflect-metadata';
import { loadConfigOrExit } from '@bank/common/config';
import { LedgerConfig } from './config/ledger.config.js';

const config = loadConfigOrExit(LedgerConfig, 'ledger');

// Only now the heavy modules (Nest, TypeORM, ...): a bad variable above fails the boot at once, naming it.
const { bootstrap } = await import('@bank/common');
const { runServiceMigrations } = await import('@bank/database');
const { LedgerModule } = await import('./ledger.module.js');
const { LEDGER_SCHEMA } = await import('./ledger.schema.js');
const { ledgerMigrations } = await import('./migrations/index.js');

if (process.argv.includes('--migrate')) {
  const applied = await runServiceMigrations({ schema: LEDGER_SCHEMA, url: config.DATABASE_URL, migrations: ledgerMigrations });
  process.stdout.write(`${JSON.stringify({ service: 'ledger', migrations: applied })}\n`);
} else {
  await bootstrap({
    service: 'ledger',
    module: LedgerModule.forRoot(config),
    httpPort: config.LEDGER_HTTP_PORT,
    tcpPort: config.LEDGER_TCP_PORT,
    tcpMaxBufferSize: config.TCP_MAX_BUFFER_SIZE,
    bindHost: config.BIND_HOST,
    certsDir: config.CERTS_DIR,
    logLevel: config.LOG_LEVEL,
  });
}
