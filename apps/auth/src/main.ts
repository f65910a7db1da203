import 'reflect-metadata';
import { bootstrap, ConfigError } from '@bank/common';
import { runServiceMigrations } from '@bank/database';
import { AUTH_SCHEMA } from './auth.schema.js';
import { AuthModule } from './auth.module.js';
import { type AuthConfig, loadAuthConfig } from './config/auth.config.js';
import { authMigrations } from './migrations/index.js';

// Like loadConfigOrExit, but through loadAuthConfig, which keeps refused secrets out of the message.
let config: AuthConfig;
try {
  config = loadAuthConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service: 'auth', msg: error.message, problems: error.problems })}\n`);
  process.exit(78); // EX_CONFIG
}

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
