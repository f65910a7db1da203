import 'reflect-metadata';
import { loadConfigOrExit } from '@bank/common/config';
import { AuthConfig } from './config/auth.config.js';

// The shared loader never echoes the value of a secret it refuses (OTP_PEPPER, AUTH_SIGNING_KEY).
const config = loadConfigOrExit(AuthConfig, 'auth');

// Only now the heavy modules (Nest, TypeORM, ...): a bad variable above fails the boot at once, naming it.
const { bootstrap } = await import('@bank/common');
const { runServiceMigrations } = await import('@bank/database');
const { AUTH_SCHEMA } = await import('./auth.schema.js');
const { AuthModule } = await import('./auth.module.js');
const { authMigrations } = await import('./migrations/index.js');

if (process.argv.includes('--migrate')) {
  const applied = await runServiceMigrations({ schema: AUTH_SCHEMA, url: config.DATABASE_URL, migrations: authMigrations });
  process.stdout.write(`${JSON.stringify({ service: 'auth', migrations: applied })}\n`);
} else {
  await bootstrap({
    service: 'auth',
    module: AuthModule.forRoot(config),
    httpPort: config.AUTH_HTTP_PORT,
    tcpPort: config.AUTH_TCP_PORT,
    tcpMaxBufferSize: config.TCP_MAX_BUFFER_SIZE,
    bindHost: config.BIND_HOST,
    certsDir: config.CERTS_DIR,
    logLevel: config.LOG_LEVEL,
  });
}
