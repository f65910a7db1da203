import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { DevControlsModule, HealthModule } from '@bank/common';
import { DatabaseModule, deleteOlderThan, RetentionModule, type RetentionConfig, type RetentionRule } from '@bank/database';
import { brokerHealth, EventSubscriberModule } from '@bank/messaging';
import { ANALYTICS_SCHEMA, ANALYTICS_SUBSCRIBER } from './analytics.schema.js';
import type { AnalyticsConfig } from './config/analytics.config.js';
import { analyticsMigrations } from './migrations/index.js';
import { AnalyticsController } from './summary/analytics.controller.js';
import { AnalyticsCountersHandler } from './summary/analytics-counters.event-handler.js';
import { GetAnalyticsSummaryHandler } from './summary/get-analytics-summary.handler.js';

/** What analytics prunes: its inbox and where failed events went (the counters are the point and stay). */
export function analyticsRetention(retention: RetentionConfig): RetentionRule[] {
  return [
    deleteOlderThan('analytics.inbox', 'received_at', retention.INBOX_RETENTION_HOURS),
    deleteOlderThan('analytics.inbox_failures', 'updated_at', retention.INBOX_RETENTION_HOURS),
  ];
}

@Module({})
export class AnalyticsModule {
  static forRoot(config: AnalyticsConfig): DynamicModule {
    return {
      module: AnalyticsModule,
      imports: [
        CqrsModule.forRoot(),
        DatabaseModule.forRoot({
          schema: ANALYTICS_SCHEMA,
          url: config.DATABASE_URL,
          poolSize: config.DB_POOL_SIZE,
          migrations: analyticsMigrations,
        }),
        EventSubscriberModule.forRoot({
          subscriber: ANALYTICS_SUBSCRIBER,
          schema: ANALYTICS_SCHEMA,
          handlers: [AnalyticsCountersHandler],
          broker: config,
        }),
        RetentionModule.forRoot(analyticsRetention),
        HealthModule.forRoot(brokerHealth()),
        DevControlsModule.forRoot(config.NODE_ENV),
      ],
      controllers: [AnalyticsController],
      providers: [GetAnalyticsSummaryHandler],
    };
  }
}
