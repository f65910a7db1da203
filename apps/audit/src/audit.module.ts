import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { DevControlsModule, HealthModule } from '@bank/common';
import { DatabaseModule, deleteOlderThan, RetentionModule, type RetentionConfig, type RetentionRule } from '@bank/database';
import { brokerHealth, EventSubscriberModule } from '@bank/messaging';
import { AUDIT_SCHEMA, AUDIT_SUBSCRIBER } from './audit.schema.js';
import { CheckpointSigner } from './checkpoints/checkpoint-signer.js';
import { CheckpointService } from './checkpoints/checkpoint.service.js';
import { ListCheckpointsHandler } from './checkpoints/list-checkpoints.handler.js';
import { AuditConfig } from './config/audit.config.js';
import { auditMigrations } from './migrations/index.js';
import { AuditController } from './trail/audit.controller.js';
import { AuditTrailHandler } from './trail/audit-trail.event-handler.js';
import { ListAuditEventsHandler } from './trail/list-audit-events.handler.js';
import { VerifyAuditChainHandler } from './trail/verify-audit-chain.handler.js';

/** What audit prunes: only where failed events went. The trail and the inbox are append-only and stay. */
export function auditRetention(retention: RetentionConfig): RetentionRule[] {
  return [deleteOlderThan('audit.inbox_failures', 'updated_at', retention.INBOX_RETENTION_HOURS)];
}

@Module({})
export class AuditModule {
  static forRoot(config: AuditConfig): DynamicModule {
    return {
      module: AuditModule,
      imports: [
        CqrsModule.forRoot(),
        DatabaseModule.forRoot({
          schema: AUDIT_SCHEMA,
          url: config.DATABASE_URL,
          poolSize: config.DB_POOL_SIZE,
          migrations: auditMigrations,
        }),
        EventSubscriberModule.forRoot({
          subscriber: AUDIT_SUBSCRIBER,
          schema: AUDIT_SCHEMA,
          handlers: [AuditTrailHandler],
          broker: config,
        }),
        RetentionModule.forRoot(auditRetention),
        HealthModule.forRoot(brokerHealth()),
        DevControlsModule.forRoot(config.NODE_ENV),
      ],
      controllers: [AuditController],
      providers: [
        // The validated config is injectable by its class.
        { provide: AuditConfig, useValue: config },
        CheckpointSigner,
        CheckpointService,
        ListAuditEventsHandler,
        VerifyAuditChainHandler,
        ListCheckpointsHandler,
      ],
    };
  }
}
