import 'reflect-metadata';
import { bootstrap, loadConfigOrExit } from '@bank/common';
import { runServiceMigrations } from '@bank/database';
import { applyDevOutboxDefault, NotificationsConfig } from './config/notifications.config.js';
import { notificationsMigrations } from './migrations/index.js';
import { NotificationsModule } from './notifications.module.js';
import { NOTIFICATIONS_SCHEMA } from './notifications.schema.js';

applyDevOutboxDefault(process.env);
const config = loadConfigOrExit(NotificationsConfig, 'notifications');

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
    logLevel: config.LOG_LEVEL,
  });
}
