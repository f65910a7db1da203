import 'reflect-metadata';
import { bootstrap, loadConfigOrExit } from '@bank/common';
import { runServiceMigrations } from '@bank/database';
import { ANALYTICS_SCHEMA } from './analytics.schema.js';
import { AnalyticsModule } from './analytics.module.js';
import { AnalyticsConfig } from './config/analytics.config.js';
import { analyticsMigrations } from './migrations/index.js';

const config = loadConfigOrExit(AnalyticsConfig, 'analytics');

if (process.argv.includes('--migrate')) {
  const applied = await runServiceMigrations({ schema: ANALYTICS_SCHEMA, url: config.DATABASE_URL, migrations: analyticsMigrations });
  process.stdout.write(`${JSON.stringify({ service: 'analytics', migrations: applied })}\n`);
} else {
  await bootstrap({
    service: 'analytics',
    module: AnalyticsModule.forRoot(config),
    httpPort: config.ANALYTICS_HTTP_PORT,
    logLevel: config.LOG_LEVEL,
  });
}
