import 'reflect-metadata';
import { loadConfigOrExit } from '@bank/common/config';
import { applyDevOutboxDefault, NotificationsConfig } from './config/notifications.config.js';

applyDevOutboxDefault(process.env);
const config = loadConfigOrExit(NotificationsConfig, 'notifications');

// Only now the heavy modules (Nest, TypeORM, ...): a bad variable above fails the boot at once, naming it.
const { bootstrap } = await import('@bank/common');
const { runServiceMigrations } = await import('@bank/database');
const { notificationsMigrations } = await import('./migrations/index.js');
const { NotificationsModule } = await import('./notifications.module.js');
const { NOTIFICATIONS_SCHEMA } = await import('./notifications.schema.js');

if (process.argv.includes('--migrate')) {
  const applied = await runServiceMigrations({
    schema: NOTIFICATIONS_SCHEMA,
    url: config.DATABASE_URL,
    migrations: notificationsMigrations,
  });
  process.stdout.write(`${JSON.stringify({ service: 'notifications', migrations: applied })}\n`);
} else {
  await bootstrap({
    service: 'notifications',
    module: NotificationsModule.forRoot(config),
    httpPort: config.NOTIFICATIONS_HTTP_PORT,
    tcpPort: config.NOTIFICATIONS_TCP_PORT,
    tcpMaxBufferSize: config.TCP_MAX_BUFFER_SIZE,
    bindHost: config.BIND_HOST,
    certsDir: config.CERTS_DIR,
    logLevel: config.LOG_LEVEL,
  });
}
