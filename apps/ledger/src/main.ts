import 'reflect-metadata';
import { bootstrap, loadConfigOrExit } from '@bank/common';
import { runServiceMigrations } from '@bank/database';
import { LedgerConfig } from './config/ledger.config.js';
import { LedgerModule } from './ledger.module.js';
import { LEDGER_SCHEMA } from './ledger.schema.js';
import { ledgerMigrations } from './migrations/index.js';

const config = loadConfigOrExit(LedgerConfig, 'ledger');

if (process.argv.includes('--migrate')) {
  const applied = await runServiceMigrations({ schema: LEDGER_SCHEMA, url: config.DATABASE_URL, migrations: ledgerMigrations });
  process.stdout.write(`${JSON.stringify({ service: 'ledger', migrations: applied })}\n`);
} else {
  await bootstrap({
    service: 'ledger',
    module: LedgerModule.forRoot(config),
    httpPort: config.LEDGER_HTTP_PORT,
    tcpPort: config.LEDGER_TCP_PORT,
    logLevel: config.LOG_LEVEL,
  });
}
