import { type DynamicModule, Module } from '@nestjs/common';
import { loadConfig } from '@bank/common';
import { deleteOlderThan, RetentionModule } from '@bank/database';
import { AmqpModule } from '../amqp/amqp.module.js';
import { amqpOptionsFrom, type BrokerSettings } from '../amqp/amqp.options.js';
import { OutboxRelayConfig, relayTuningFrom, type OutboxRelayTuning } from './outbox-relay.config.js';
import { OUTBOX_RELAY_OPTIONS, OutboxRelay, type OutboxRelayOptions } from './outbox-relay.service.js';

export interface OutboxRelayModuleOptions {
  /** The producing service's schema, whose `outbox` table is relayed. */
  schema: string;
  /** The app's BrokerConfig (AMQP_URL, EVENTS_EXCHANGE). */
  broker: BrokerSettings;
  /** Overrides; by default read from OUTBOX_* environment variables (see OutboxRelayConfig). */
  tuning?: Partial<OutboxRelayTuning>;
}

/**
 * For producing services: `OutboxRelayModule.forRoot({ schema: ACCOUNTS_SCHEMA, broker: config })`
 * relays that schema's outbox to the events exchange, and prunes the rows published longer than
 * OUTBOX_RETENTION_HOURS ago (the shared Pruner). Brings the AMQP connection with it.
 */
@Module({})
export class OutboxRelayModule {
  static forRoot(options: OutboxRelayModuleOptions): DynamicModule {
    const resolved: OutboxRelayOptions = { schema: options.schema, ...relayTuningFrom(loadConfig(OutboxRelayConfig)), ...options.tuning };
    return {
      module: OutboxRelayModule,
      imports: [
        AmqpModule.forRoot(amqpOptionsFrom(options.broker)),
        RetentionModule.forRoot(() => [deleteOlderThan(`"${options.schema}".outbox`, 'published_at', resolved.retentionHours)]),
      ],
      providers: [{ provide: OUTBOX_RELAY_OPTIONS, useValue: resolved }, OutboxRelay],
      exports: [OutboxRelay],
    };
  }
}
