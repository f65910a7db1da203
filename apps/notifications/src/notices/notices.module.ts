import { type DynamicModule, Module } from '@nestjs/common';
import type { BrokerConfig } from '@bank/common';
import { loadConfig } from '@bank/common';
import { EventSubscriberModule, SubscriberConfig } from '@bank/messaging';
import { NOTIFICATIONS_SCHEMA } from '../notifications.schema.js';
import { CustomerNoticesHandler } from './customer-notices.event-handler.js';

export const NOTIFICATIONS_SUBSCRIBER = 'notifications';

/**
 * Customer notices from events: consumes `notifications.events`. The EVENTS_* consumer tuning is
 * read from the environment unless the given config carries it (NotificationsConfig does not).
 */
@Module({})
export class NoticesModule {
  static forRoot(config: BrokerConfig): DynamicModule {
    return {
      module: NoticesModule,
      imports: [
        EventSubscriberModule.forRoot({
          subscriber: NOTIFICATIONS_SUBSCRIBER,
          schema: NOTIFICATIONS_SCHEMA,
          handlers: [CustomerNoticesHandler],
          broker: { ...loadConfig(SubscriberConfig), ...config },
        }),
      ],
    };
  }
}
