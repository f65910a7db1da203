import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { AmqpModule } from '../amqp/amqp.module.js';
import { amqpOptionsFrom, type BrokerSettings } from '../amqp/amqp.options.js';
import { InboxController } from '../inbox/inbox.controller.js';
import { EventSubscriber, type EventSubscriberOptions } from './event-subscriber.service.js';
import { SUBSCRIBER_HANDLERS, SUBSCRIBER_OPTIONS } from './event-subscriber.tokens.js';
import { bindingsFor, type InboundEventHandler } from './inbound-event-handler.js';
import { DEFAULT_ROLE_PREFIX, subscriberTuningFrom, type SubscriberTuning } from './subscriber.config.js';
import { subscriberTopology } from './subscriber.topology.js';

export interface EventSubscriberModuleOptions {
  /** Names the queues: `<subscriber>.events`, `.events.dlq`, `.events.retry.<delay>`. */
  subscriber: string;
  /** The app's schema; it must hold an inbox table (createInboxTableSql). */
  schema: string;
  /** Classes decorated with @OnEvents; providers of this module (they may inject global providers). */
  handlers: Type<InboundEventHandler>[];
  /** The app's config: AMQP_URL, EVENTS_EXCHANGE, and the EVENTS_* tuning when it extends SubscriberConfig. */
  broker: BrokerSettings;
  /** Routing patterns; by default the handlers' event types (or `#` when one takes every event). */
  bindings?: string[];
  tuning?: Partial<SubscriberTuning>;
}

/**
 * Everything a subscribing app needs to consume its queue; brings the AMQP connection with it, and
 * serves GET /inbox/:eventId (when this subscriber applied an event). One subscriber per app: a
 * second forRoot in the same app would register that route twice.
 */
@Module({})
export class EventSubscriberModule {
  static forRoot(options: EventSubscriberModuleOptions): DynamicModule {
    const tuning = { ...subscriberTuningFrom(options.broker), ...options.tuning };
    const resolved: EventSubscriberOptions = {
      subscriber: options.subscriber,
      schema: options.schema,
      prefetch: tuning.prefetch,
      rolePrefix: options.broker.ROLE_PREFIX ?? DEFAULT_ROLE_PREFIX,
      topology: subscriberTopology({
        subscriber: options.subscriber,
        exchange: options.broker.EVENTS_EXCHANGE,
        bindings: options.bindings ?? bindingsFor(options.handlers),
        retryDelaysMs: tuning.retryDelaysMs,
        deliveryLimit: tuning.deliveryLimit,
      }),
    };
    return {
      module: EventSubscriberModule,
      imports: [AmqpModule.forRoot(amqpOptionsFrom(options.broker))],
      controllers: [InboxController],
      providers: [
        ...options.handlers,
        { provide: SUBSCRIBER_OPTIONS, useValue: resolved },
        { provide: SUBSCRIBER_HANDLERS, useFactory: (...handlers: InboundEventHandler[]) => handlers, inject: options.handlers },
        EventSubscriber,
      ],
      exports: [EventSubscriber],
    };
  }
}
