import 'reflect-metadata';
import { bootstrap, loadConfigOrExit } from '@bank/common';
import { runServiceMigrations } from '@bank/database';
import { ACCOUNTS_SCHEMA } from './accounts.schema.js';
import { AccountsModule } from './accounts.module.js';
import { AccountsConfig } from './config/accounts.config.js';
import { accountsMigrations } from './migrations/index.js';

const config = loadConfigOrExit(AccountsConfig, 'accounts');

if (process.argv.includes('--migrate')) {
  const applied = await runServiceMigrations({ schema: ACCOUNTS_SCHEMA, url: config.DATABASE_URL, migrations: accountsMigrations });
  process.stdout.write(`${JSON.stringify({ service: 'accounts', migrations: applied })}\n`);
} else {
  await bootstrap({
    service: 'accounts',
    module: AccountsModule.forRoot(config),
    httpPort: config.ACCOUNTS_HTTP_PORT,
    tcpPort: config.ACCOUNTS_TCP_PORT,
    logLevel: config.LOG_LEVEL,
  });
}
