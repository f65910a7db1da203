import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { devFaults } from '@bank/common';
import { Sql } from '@bank/database';
import { AmqpConnection } from '../amqp/amqp-connection.js';
import { inboxFailureRecordSql } from '../inbox/inbox.sql.js';
import { registerQueueDepthSource } from '../metrics/messaging.metrics.js';
import type { Delivery } from './delivery.js';
import { DeliveryBatcher } from './delivery-batcher.js';
import { EventBatch } from './event-batch.js';
import { EventRoutes } from './event-routes.js';
import { SUBSCRIBER_HANDLERS, SUBSCRIBER_OPTIONS } from './event-subscriber.tokens.js';
import type { InboundEventHandler } from './inbound-event-handler.js';
import { QueueInspector } from './queue-inspector.js';
import { RetryOrPark } from './retry-or-park.js';
import { declareTopology, type SubscriberTopology } from './subscriber.topology.js';

export interface EventSubscriberOptions {
  subscriber: string;
  /** Schema holding the subscriber's inbox table. */
  schema: string;
  topology: SubscriberTopology;
  prefetch: number;
  /** ROLE_PREFIX: the producer of an event type publishes as `<rolePrefix><service>` (EVENT_PRODUCERS). */
  rolePrefix: string;
}

/** How long the first delivery of a batch waits for others (well inside the 1 s lag budget). */
const BATCH_WINDOW_MS = 10;

/**
 * Consumes one subscriber's queue: the channel's life (setup, reconnect, pause, shutdown) is here;
 * what happens to the deliveries is in files of their own: batching (DeliveryBatcher), screening,
 * inbox and dispatch (EventBatch, EventRoutes), the retry queues and the DLQ (RetryOrPark), the
 * acks (delivery.ts), queue depths (QueueInspector).
 */
@Injectable()
export class EventSubscriber implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger: Logger;
  private readonly topology: SubscriberTopology;
  private readonly batcher: DeliveryBatcher<Delivery>;
  private readonly inspector: QueueInspector;
  private channel?: Channel;
  private consumerTag?: string;
  private stopping = false;
  /** Paused from the page's "break it" (development only): no consumer, messages wait in the queue. */
  private paused = false;
  private setupTimer?: NodeJS.Timeout;
  private lastSetupError?: string;
  private readonly cleanups: (() => void)[] = [];

  constructor(
    @Inject(SUBSCRIBER_OPTIONS) private readonly options: EventSubscriberOptions,
    @Inject(SUBSCRIBER_HANDLERS) handlers: InboundEventHandler[],
    db: Sql,
    private readonly amqp: AmqpConnection,
  ) {
    const { subscriber, topology } = options;
    this.logger = new Logger(`EventSubscriber:${subscriber}`);
    this.topology = topology;
    this.inspector = new QueueInspector(amqp, topology);
    const recordSql = inboxFailureRecordSql(options.schema);
    const failures = new RetryOrPark({
      subscriber,
      topology,
      amqp,
      logger: this.logger,
      record: async (f) => {
        await db.rows(recordSql, [subscriber, f.eventId, f.eventType, f.state, f.attempts, f.errorCode, f.reason ?? null]);
      },
    });
    const batch = new EventBatch({
      subscriber,
      schema: options.schema,
      rolePrefix: options.rolePrefix,
      self: amqp.user,
      db,
      routes: new EventRoutes(handlers),
      failures,
      logger: this.logger,
    });
    this.batcher = new DeliveryBatcher<Delivery>(
      options.prefetch,
      BATCH_WINDOW_MS,
      (deliveries) => batch.process(deliveries, (d) => d.channel === this.channel || this.stopping),
      (error) => this.logger.error({ msg: 'batch processing crashed', err: (error as Error).message }),
    );
  }

  get subscriber(): string {
    return this.options.subscriber;
  }

  /** True while a consumer is registered on the queue. */
  get isConsuming(): boolean {
    return this.consumerTag !== undefined;
  }

  onApplicationBootstrap(): void {
    this.cleanups.push(
      this.amqp.register({ name: this.subscriber, problem: () => this.problem() }),
      registerQueueDepthSource({ subscriber: this.subscriber, depths: () => this.queueDepths() }),
      this.amqp.onConnect((connection) => this.setup(connection)),
      devFaults.onChange((state) => void this.setPaused(state.paused)),
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.setupTimer);
    this.cleanups.forEach((cleanup) => cleanup());
    const channel = this.channel;
    if (channel && this.consumerTag) await channel.cancel(this.consumerTag).catch(() => undefined);
    // Messages already delivered are finished, so nothing waits for a redelivery.
    await this.batcher.drained();
    this.channel = undefined;
    this.consumerTag = undefined;
    await channel?.close().catch(() => undefined);
    await this.inspector.close();
  }

  /** Ready messages per queue (main, dlq, retry.<delay>); for /metrics and tests. */
  queueDepths(): Promise<Record<string, number>> {
    return this.inspector.depths();
  }

  private problem(): string | undefined {
    if (this.stopping || this.consumerTag || this.paused) return undefined;
    return `${this.subscriber} consumer not running${this.lastSetupError ? ` (${this.lastSetupError})` : ''}`;
  }

  private async setup(connection: ChannelModel): Promise<void> {
    if (this.stopping || this.amqp.current() !== connection) return;
    let channel: Channel | undefined;
    try {
      channel = await connection.createChannel();
      const opened = channel;
      opened.on('error', (error: Error) => this.logger.warn({ msg: 'consumer channel error', err: error.message }));
      opened.on('close', () => this.onChannelClosed(opened, connection));
      await declareTopology(opened, this.topology);
      await opened.prefetch(this.options.prefetch);
      this.channel = opened;
      if (!this.paused) await this.consume(opened);
      this.lastSetupError = undefined;
    } catch (error) {
      this.lastSetupError = (error as Error).message;
      this.logger.error({ msg: 'consumer setup failed, will retry', err: this.lastSetupError });
      if (this.channel === channel) this.channel = undefined;
      await channel?.close().catch(() => undefined);
      this.scheduleSetup(connection);
    }
  }

  private async consume(channel: Channel): Promise<void> {
    const { consumerTag } = await channel.consume(this.topology.queue, (message) => this.onDelivery(channel, message), { noAck: false });
    this.consumerTag = consumerTag;
    this.logger.log({ msg: 'consuming', queue: this.topology.queue, bindings: this.topology.bindings, prefetch: this.options.prefetch });
  }

  /** Cancels or restarts the consumer; deliveries already received are still finished and acked. */
  private async setPaused(paused: boolean): Promise<void> {
    if (paused === this.paused || this.stopping) return;
    this.paused = paused;
    const channel = this.channel;
    try {
      if (paused && channel && this.consumerTag) {
        const tag = this.consumerTag;
        this.consumerTag = undefined;
        await channel.cancel(tag);
        this.logger.warn({ msg: 'consumer paused (development fault)', queue: this.topology.queue });
      } else if (!paused && channel && !this.consumerTag) {
        await this.consume(channel);
      }
    } catch (error) {
      this.logger.warn({ msg: 'consumer pause or resume failed', err: (error as Error).message });
    }
  }

  private scheduleSetup(connection: ChannelModel, delayMs = 1_000): void {
    if (this.stopping) return;
    clearTimeout(this.setupTimer);
    this.setupTimer = setTimeout(() => void this.setup(connection), delayMs);
  }

  private onChannelClosed(channel: Channel, connection: ChannelModel): void {
    if (this.channel !== channel) return;
    this.channel = undefined;
    this.consumerTag = undefined;
    // Unacked deliveries of a closed channel go back to the queue; working on them would be wasted.
    this.batcher.drop((d) => d.channel === channel);
    // A channel can die alone (e.g. a protocol error); with the connection gone, onConnect takes over.
    if (!this.stopping && this.amqp.current() === connection) this.scheduleSetup(connection);
  }

  private onDelivery(channel: Channel, message: ConsumeMessage | null): void {
    if (message === null) {
      // The broker cancelled us (queue deleted): start over, which redeclares the queue.
      this.logger.warn('consumer cancelled by the broker');
      if (this.channel === channel) void channel.close().catch(() => undefined);
      return;
    }
    this.batcher.push({ channel, message });
  }
}
