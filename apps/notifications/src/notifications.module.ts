import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { DevControlsModule, HealthModule } from '@bank/common';
import { DatabaseModule, deleteOlderThan, RetentionModule, type RetentionConfig, type RetentionRule } from '@bank/database';
import { brokerHealth } from '@bank/messaging';
import { NotificationsConfig } from './config/notifications.config.js';
import { DevOutboxController } from './dev-outbox/dev-outbox.controller.js';
import { ListOutboxHandler } from './dev-outbox/list-outbox.handler.js';
import { MessagesModule } from './messages/messages.module.js';
import { notificationsMigrations } from './migrations/index.js';
import { NoticesModule } from './notices/notices.module.js';
import { NOTIFICATIONS_SCHEMA } from './notifications.schema.js';
import { OtpController } from './otp/otp.controller.js';
import { SendOtpHandler } from './otp/send-otp.handler.js';

/** What notifications prunes: its inbox (and where failed events went), and the messages it recorded as sent. */
export function notificationsRetention(retention: RetentionConfig): RetentionRule[] {
  return [
    deleteOlderThan('notifications.inbox', 'received_at', retention.INBOX_RETENTION_HOURS),
    deleteOlderThan('notifications.inbox_failures', 'updated_at', retention.INBOX_RETENTION_HOURS),
    deleteOlderThan('notifications.messages', 'sent_at', retention.NOTIFICATIONS_RETENTION_HOURS),
  ];
}

/**
 * OTP delivery on command and the dev outbox. Feature modules (e.g. event consumers that send
 * notices) plug in by adding themselves to `imports`; they record messages through MessagesModule.
 */
@Module({})
export class NotificationsModule {
  static forRoot(config: NotificationsConfig): DynamicModule {
    return {
      module: NotificationsModule,
      imports: [
        CqrsModule.forRoot(),
        DatabaseModule.forRoot({
          schema: NOTIFICATIONS_SCHEMA,
          url: config.DATABASE_URL,
          poolSize: config.DB_POOL_SIZE,
          migrations: notificationsMigrations,
        }),
        RetentionModule.forRoot(notificationsRetention),
        HealthModule.forRoot(brokerHealth()),
        DevControlsModule.forRoot(config.NODE_ENV),
        MessagesModule,
        NoticesModule.forRoot(config),
      ],
      controllers: [OtpController, ...(config.NOTIFICATIONS_DEV_OUTBOX ? [DevOutboxController] : [])],
      providers: [
        // The validated config is injectable by its class.
        { provide: NotificationsConfig, useValue: config },
        SendOtpHandler,
        ListOutboxHandler,
      ],
    };
  }
}
