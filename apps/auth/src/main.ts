import 'reflect-metadata';
import { bootstrap, loadConfigOrExit } from '@bank/common';
import { runServiceMigrations } from '@bank/database';
import { AUTH_SCHEMA } from './auth.schema.js';
import { AuthModule } from './auth.module.js';
import { AuthConfig } from './config/auth.config.js';
import { authMigrations } from './migrations/index.js';

// The shared loader never echoes the value of a secret it refuses (OTP_PEPPER, AUTH_SIGNING_KEY).
const config = loadConfigOrExit(AuthConfig, 'auth');

if (process.argv.includes('--migrate')) {
  const applied = await runServiceMigrations({ schema: AUTH_SCHEMA, url: config.DATABASE_URL, migrations: authMigrations });
  process.stdout.write(`${JSON.stringify({ service: 'auth', migrations: applied })}\n`);
} else {
  await bootstrap({
    service: 'auth',
    module: AuthModule.forRoot(config),
    httpPort: config.AUTH_HTTP_PORT,
    tcpPort: config.AUTH_TCP_PORT,
    logLevel: config.LOG_LEVEL,
  });
}
