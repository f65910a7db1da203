import 'reflect-metadata';
import { loadConfigOrExit } from '@bank/common/config';
import { AccountsConfig } from './config/accounts.config.js';

const config = loadConfigOrExit(AccountsConfig, 'accounts');

// Only now the heavy modules (Nest, TypeORM, ...): a bad variable above fails the boot at once, naming it.
const { bootstrap } = await import('@bank/common');
const { runServiceMigrations } = await import('@bank/database');
const { ACCOUNTS_SCHEMA } = await import('./accounts.schema.js');
const { AccountsModule } = await import('./accounts.module.js');
const { accountsMigrations } = await import('./migrations/index.js');

if (process.argv.includes('--migrate')) {
  const applied = await runServiceMigrations({ schema: ACCOUNTS_SCHEMA, url: config.DATABASE_URL, migrations: accountsMigrations });
  process.stdout.write(`${JSON.stringify({ service: 'accounts', migrations: applied })}\n`);
} else {
  await bootstrap({
    service: 'accounts',
    module: AccountsModule.forRoot(config),
    httpPort: config.ACCOUNTS_HTTP_PORT,
    tcpPort: config.ACCOUNTS_TCP_PORT,
    tcpMaxBufferSize: config.TCP_MAX_BUFFER_SIZE,
    bindHost: config.BIND_HOST,
    certsDir: config.CERTS_DIR,
    logLevel: config.LOG_LEVEL,
  });
}
