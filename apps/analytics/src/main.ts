import 'reflect-metadata';
import { loadConfigOrExit } from '@bank/common/config';
import { AnalyticsConfig } from './config/analytics.config.js';

const config = loadConfigOrExit(AnalyticsConfig, 'analytics');

// Only now the heavy modules (Nest, TypeORM, ...): a bad variable above fails the boot at once, naming it.
const { bootstrap } = await import('@bank/common');
const { runServiceMigrations } = await import('@bank/database');
const { ANALYTICS_SCHEMA } = await import('./analytics.schema.js');
const { AnalyticsModule } = await import('./analytics.module.js');
const { analyticsMigrations } = await import('./migrations/index.js');

if (process.argv.includes('--migrate')) {
  const applied = await runServiceMigrations({ schema: ANALYTICS_SCHEMA, url: config.DATABASE_URL, migrations: analyticsMigrations });
  process.stdout.write(`${JSON.stringify({ service: 'analytics', migrations: applied })}\n`);
} else {
  await bootstrap({
    service: 'analytics',
    module: AnalyticsModule.forRoot(config),
    httpPort: config.ANALYTICS_HTTP_PORT,
    bindHost: config.BIND_HOST,
    certsDir: config.CERTS_DIR,
    logLevel: config.LOG_LEVEL,
  });
}
