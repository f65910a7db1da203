import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { context, ROOT_CONTEXT, SpanKind, trace, type Span } from '@opentelemetry/api';
import type { Channel, ChannelModel, ConsumeMessage, MessageProperties, Options } from 'amqplib';
import { publisherRefusal } from '@bank/contracts';
import { devFaults, extractTraceContext, failSpan, isTracing, tracer } from '@bank/common';
import { Sql } from '@bank/database';
import { AmqpConnection } from '../amqp/amqp-connection.js';
import { inboxClaimSql } from '../inbox/inbox.sql.js';
import { eventBatchSize, eventConsumerLag, eventsConsumed, eventRetries, registerQueueDepthSource } from '../metrics/messaging.metrics.js';
import { decodeEvent } from './event-decoder.js';
import {
  attemptOf,
  DELIVERY_COUNT_HEADER,
  nextStep,
  PARK_REASON_HEADER,
  PUBLISHED_BY_HEADER,
  publisherOf,
  RETRY_COUNT_HEADER,
  retriesSoFar,
} from './failure-policy.js';
import { ALL_EVENTS, handledEventTypes, inEventContext, type InboundEvent, type InboundEventHandler } from './inbound-event-handler.js';
import { declareTopology, formatDelay, type SubscriberTopology } from './subscriber.topology.js';

export interface EventSubscriberOptions {
  subscriber: string;
  /** Schema holding the subscriber's inbox table. */
  schema: string;
  topology: SubscriberTopology;
  prefetch: number;
  /** ROLE_PREFIX: the producer of an event type publishes as `<rolePrefix><service>` (EVENT_PRODUCERS). */
  rolePrefix: string;
}
export const SUBSCRIBER_OPTIONS = Symbol('SUBSCRIBER_OPTIONS');
export const SUBSCRIBER_HANDLERS = Symbol('SUBSCRIBER_HANDLERS');

interface Delivery {
  channel: Channel;
  message: ConsumeMessage;
}
interface DecodedDelivery extends Delivery {
  event: InboundEvent;
}
interface Route {
  name: string;
  handler: InboundEventHandler;
  takes(type: string): boolean;
}

const MAX_ERROR_HEADER = 200;
/** How long the first delivery of a batch waits for others (well inside the 1 s lag budget). */
const BATCH_WINDOW_MS = 10;

/**
 * Consumes one subscriber's queue. Deliveries that arrive together (up to the prefetch) are
 * applied in ONE transaction together with their inbox rows, then acked; if that transaction
 * fails, each event is tried alone so one bad event cannot hold back the others. A failing event
 * takes the delayed retry path and is parked in the DLQ when the retries are used up; a malformed
 * or unknown one is parked at once. Nothing is acked before its effect is committed.
 */
@Injectable()
export class EventSubscriber implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger: Logger;
  private readonly routes: Route[];
  private readonly topology: SubscriberTopology;
  private channel?: Channel;
  private consumerTag?: string;
  private buffer: Delivery[] = [];
  private batchFull?: () => void;
  private processing?: Promise<void>;
  private stopping = false;
  /** Paused from the page's "break it" (development only): no consumer, messages wait in the queue. */
  private paused = false;
  private setupTimer?: NodeJS.Timeout;
  private lastSetupError?: string;
  private inspectChannel?: Promise<Channel>;
  private readonly cleanups: (() => void)[] = [];

  constructor(
    @Inject(SUBSCRIBER_OPTIONS) private readonly options: EventSubscriberOptions,
    @Inject(SUBSCRIBER_HANDLERS) handlers: InboundEventHandler[],
    private readonly db: Sql,
    private readonly amqp: AmqpConnection,
  ) {
    this.logger = new Logger(`EventSubscriber:${options.subscriber}`);
    this.topology = options.topology;
    this.routes = handlers.map((handler) => {
      const types = handledEventTypes(handler.constructor);
      return { name: handler.constructor.name, handler, takes: (type: string) => types.includes(ALL_EVENTS) || types.includes(type) };
    });
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
    while (this.processing) await this.processing;
    this.channel = undefined;
    this.consumerTag = undefined;
    await channel?.close().catch(() => undefined);
    const inspect = this.inspectChannel;
    this.inspectChannel = undefined;
    await inspect?.then((c) => c.close()).catch(() => undefined);
  }

  /** Ready messages per queue (main, dlq, retry.<delay>); for /metrics and tests. */
  async queueDepths(): Promise<Record<string, number>> {
    const channel = await this.inspect();
    const depths: Record<string, number> = {};
    depths.main = (await channel.checkQueue(this.topology.queue)).messageCount;
    depths.dlq = (await channel.checkQueue(this.topology.deadLetterQueue)).messageCount;
    for (const retry of this.topology.retryQueues)
      depths[`retry.${formatDelay(retry.delayMs)}`] = (await channel.checkQueue(retry.name)).messageCount;
    return depths;
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
    this.buffer = this.buffer.filter((d) => d.channel !== channel);
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
    this.buffer.push({ channel, message });
    if (this.buffer.length >= this.options.prefetch) this.batchFull?.();
    this.schedule();
  }

  private schedule(): void {
    if (this.processing) return;
    this.processing = this.processLoop().finally(() => {
      this.processing = undefined;
      if (this.buffer.length > 0) this.schedule();
    });
  }

  private async processLoop(): Promise<void> {
    // Let more deliveries arrive, so they share one transaction and one ack: a few milliseconds
    // more lag for a fraction of the round trips and commits per event. A full batch goes at once.
    if (this.buffer.length < this.options.prefetch) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.batchFull = undefined;
          resolve();
        }, BATCH_WINDOW_MS);
        this.batchFull = () => {
          clearTimeout(timer);
          this.batchFull = undefined;
          resolve();
        };
      });
    }
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.options.prefetch);
      try {
        await this.processBatch(batch);
      } catch (error) {
        // Not reached in normal operation (every path acks or nacks); unacked messages come back.
        this.logger.error({ msg: 'batch processing crashed', err: (error as Error).message });
      }
    }
  }

  private async processBatch(deliveries: Delivery[]): Promise<void> {
    if (devFaults.delayMs > 0) await devFaults.delay(); // "slow a service down" (development only)
    const decoded: DecodedDelivery[] = [];
    for (const delivery of deliveries) {
      if (delivery.channel !== this.channel && !this.stopping) continue;
      const messageId: unknown = delivery.message.properties.messageId;
      const result = decodeEvent(delivery.message.content, typeof messageId === 'string' && messageId !== '' ? messageId : undefined);
      if (!result.ok) {
        await this.park(delivery, `malformed: ${result.reason}`);
        continue;
      }
      if (!this.routes.some((r) => r.takes(result.envelope.type))) {
        await this.park(delivery, `no handler for event type ${result.envelope.type}`, result.envelope);
        continue;
      }
      // Applied only when its producer sent it: anyone else who can reach the broker could forge it.
      const refusal = publisherRefusal(
        result.envelope.type,
        publisherOf(delivery.message.properties, this.amqp.user),
        this.options.rolePrefix,
      );
      if (refusal !== undefined) {
        await this.park(delivery, `untrusted publisher: ${refusal}`, result.envelope);
        continue;
      }
      // "Make a subscriber fail the next N events" (development only): to the retry queue, as a failing handler would.
      if (devFaults.takeRefusal()) {
        await this.fail({ ...delivery, event: result.envelope }, new Error('failed on purpose (development fault)'));
        continue;
      }
      decoded.push({ ...delivery, event: result.envelope });
    }
    if (decoded.length === 0) return;
    try {
      await this.commit(decoded);
    } catch (error) {
      if (decoded.length === 1) return this.fail(decoded[0], error);
      this.logger.warn({ msg: 'batch failed, applying its events one by one', size: decoded.length, err: (error as Error).message });
      for (const one of decoded) {
        try {
          await this.commit([one]);
        } catch (singleError) {
          await this.fail(one, singleError);
        }
      }
    }
  }

  /** One transaction: inbox rows, then every handler's work; acks only after the commit. */
  private async commit(deliveries: DecodedDelivery[]): Promise<void> {
    const unique = new Map<string, InboundEvent>();
    // Two copies of one event in a batch: the inbox row counts the later attempt.
    const attempts = new Map<string, number>();
    for (const d of deliveries) {
      const id = d.event.id.toLowerCase();
      if (!unique.has(id)) unique.set(id, d.event);
      attempts.set(id, Math.max(attempts.get(id) ?? 0, attemptOf(d.message)));
    }
    const events = [...unique.values()];
    const spans = isTracing() ? deliveries.map((d) => this.processSpan(d, deliveries.length)) : [];
    const transaction = () =>
      this.db.transaction(async (tx) => {
        const claimed = await tx.rows<{ event_id: string }>(inboxClaimSql(this.options.schema), [
          this.subscriber,
          events.map((e) => e.id),
          events.map((e) => e.type),
          events.map((e) => attempts.get(e.id.toLowerCase()) ?? 1),
        ]);
        const freshIds = new Set(claimed.map((r) => r.event_id.toLowerCase()));
        const work = events.filter((e) => freshIds.has(e.id.toLowerCase()));
        for (const route of this.routes) {
          const mine = work.filter((e) => route.takes(e.type));
          if (mine.length === 0) continue;
          await inEventContext(mine[0], () => route.handler.handle(mine, tx));
        }
        return freshIds;
      });
    let fresh: Set<string>;
    try {
      fresh = spans.length === 0 ? await transaction() : await this.inProcessSpans(spans, transaction);
    } catch (error) {
      spans.forEach((span) => {
        failSpan(span, error);
        span.end();
      });
      throw error;
    }
    const now = Date.now();
    const counted = new Set<string>();
    this.ackAll(deliveries);
    for (const d of deliveries) {
      const id = d.event.id.toLowerCase();
      const processed = fresh.has(id) && !counted.has(id);
      counted.add(id);
      eventsConsumed.inc({ subscriber: this.subscriber, type: d.event.type, outcome: processed ? 'processed' : 'duplicate' });
      if (processed) {
        const occurred = Date.parse(d.event.occurredAt);
        if (Number.isFinite(occurred)) eventConsumerLag.observe({ subscriber: this.subscriber }, Math.max(0, now - occurred) / 1000);
      }
      const span = spans[deliveries.indexOf(d)];
      const log = () =>
        this.withEvent(d.event, () =>
          this.logger.log({ msg: processed ? 'event handled' : 'duplicate event ignored', eventId: d.event.id, type: d.event.type }),
        );
      if (span) {
        span.setAttribute('bank.duplicate', !processed);
        context.with(trace.setSpan(ROOT_CONTEXT, span), log);
        span.end();
      } else log();
    }
    eventBatchSize.observe({ subscriber: this.subscriber }, fresh.size);
  }

  /**
   * A CONSUMER span per delivery (`<type> process`), child of the publish span whose context the
   * message's headers carry and linked to it (the messaging conventions' link to the producer), so
   * each subscriber's handling sits in the producer's trace. A redelivery or a retry carries the
   * same headers, so it lands in the same trace again.
   */
  private processSpan(delivery: DecodedDelivery, batchSize: number): Span {
    const { message, event } = delivery;
    const parent = extractTraceContext(message.properties.headers);
    const producer = trace.getSpanContext(parent);
    return tracer.startSpan(
      `${event.type} process`,
      {
        kind: SpanKind.CONSUMER,
        links: producer ? [{ context: producer }] : [],
        attributes: {
          'messaging.system': 'rabbitmq',
          'messaging.operation.type': 'process',
          'messaging.destination.name': message.fields.exchange,
          'messaging.rabbitmq.destination.routing_key': message.fields.routingKey,
          'messaging.consumer.group.name': this.subscriber,
          'messaging.message.id': event.id,
          'messaging.message.conversation_id': event.correlationId,
          'messaging.batch.message_count': batchSize,
          'bank.redelivered': message.fields.redelivered || retriesSoFar(message.properties.headers) > 0,
        },
      },
      parent,
    );
  }

  /**
   * The batch's transaction in the span of its one event; a batch of several events belongs to no
   * single trace, so it gets a span of its own, linked to each event's.
   */
  private inProcessSpans<T>(spans: Span[], work: () => Promise<T>): Promise<T> {
    if (spans.length === 1) return context.with(trace.setSpan(ROOT_CONTEXT, spans[0]), work);
    const batch = tracer.startSpan(
      `${this.subscriber} process batch`,
      {
        kind: SpanKind.CONSUMER,
        links: spans.map((span) => ({ context: span.spanContext() })),
        attributes: { 'messaging.system': 'rabbitmq', 'messaging.batch.message_count': spans.length },
      },
      ROOT_CONTEXT,
    );
    return context.with(trace.setSpan(ROOT_CONTEXT, batch), work).finally(() => batch.end());
  }

  /** The retry path, or the DLQ when the error cannot heal or the retries are used up. */
  private async fail(delivery: DecodedDelivery, error: unknown): Promise<void> {
    const step = nextStep(error, retriesSoFar(delivery.message.properties.headers), this.topology);
    const message = error instanceof Error ? error.message : String(error);
    if (step.action === 'park') return this.park(delivery, step.reason, delivery.event);
    this.withEvent(delivery.event, () =>
      this.logger.warn({
        msg: 'event failed, retrying later',
        eventId: delivery.event.id,
        type: delivery.event.type,
        retry: step.retry,
        delayMs: step.delayMs,
        err: message,
      }),
    );
    try {
      await this.amqp.publish(
        '',
        step.queue,
        delivery.message.content,
        republishOptions(delivery.message.properties, this.amqp.user, {
          [RETRY_COUNT_HEADER]: step.retry,
          'x-last-error': message.slice(0, MAX_ERROR_HEADER),
        }),
      );
      this.ack(delivery);
      eventsConsumed.inc({ subscriber: this.subscriber, type: delivery.event.type, outcome: 'retried' });
      eventRetries.inc({ subscriber: this.subscriber, delay: formatDelay(step.delayMs) });
    } catch (publishError) {
      // Could not hand it to the retry queue: give it back; the delivery limit bounds this loop.
      this.logger.warn({ msg: 'retry publish failed, requeueing', err: (publishError as Error).message });
      this.nack(delivery, true);
    }
  }

  /** Moves a message to the DLQ with the reason in a header; if that fails the broker dead-letters it. */
  private async park(delivery: Delivery, reason: string, event?: InboundEvent): Promise<void> {
    const type = event?.type ?? 'unknown';
    const log = () =>
      this.logger.error({
        msg: 'event parked in the dead-letter queue',
        eventId: event?.id,
        messageId: String(delivery.message.properties.messageId ?? ''),
        type,
        reason,
      });
    if (event) this.withEvent(event, log);
    else log();
    try {
      await this.amqp.publish(
        '',
        this.topology.deadLetterQueue,
        delivery.message.content,
        republishOptions(delivery.message.properties, this.amqp.user, {
          [PARK_REASON_HEADER]: reason.slice(0, MAX_ERROR_HEADER),
          'x-parked-at': new Date().toISOString(),
          'x-parked-by': this.subscriber,
        }),
      );
      this.ack(delivery);
    } catch {
      this.nack(delivery, false);
    }
    eventsConsumed.inc({ subscriber: this.subscriber, type, outcome: 'dead_lettered' });
  }

  /**
   * One ack per channel for a committed batch: `allUpTo` on its highest delivery tag. Batches are
   * taken oldest first and handled one at a time, so every lower tag on that channel is already
   * settled or in this batch.
   */
  private ackAll(deliveries: Delivery[]): void {
    const last = new Map<Channel, Delivery>();
    for (const d of deliveries) {
      const seen = last.get(d.channel);
      if (!seen || seen.message.fields.deliveryTag < d.message.fields.deliveryTag) last.set(d.channel, d);
    }
    for (const [channel, d] of last) {
      try {
        channel.ack(d.message, true);
      } catch {
        // Channel gone: the messages are redelivered, and the inbox makes that harmless.
      }
    }
  }

  private ack(delivery: Delivery): void {
    try {
      delivery.channel.ack(delivery.message);
    } catch {
      // Channel gone: the message is redelivered, and the inbox makes that harmless.
    }
  }

  private nack(delivery: Delivery, requeue: boolean): void {
    try {
      delivery.channel.nack(delivery.message, false, requeue);
    } catch {
      // Channel gone: the broker requeues the message by itself.
    }
  }

  private withEvent(event: InboundEvent, fn: () => void): void {
    inEventContext(event, fn);
  }

  private inspect(): Promise<Channel> {
    const connection = this.amqp.current();
    if (!connection) return Promise.reject(new Error('broker not connected'));
    if (!this.inspectChannel) {
      const created = connection.createChannel().then((channel) => {
        channel.on('error', () => undefined);
        channel.on('close', () => {
          if (this.inspectChannel === created) this.inspectChannel = undefined;
        });
        return channel;
      });
      created.catch(() => {
        if (this.inspectChannel === created) this.inspectChannel = undefined;
      });
      this.inspectChannel = created;
    }
    return this.inspectChannel;
  }
}

/**
 * The original message's properties for a republish by broker user `self`, with extra headers;
 * broker bookkeeping dropped. The original publisher goes into PUBLISHED_BY_HEADER (a header of that
 * name that came with the message is never passed on: anyone could have set it).
 */
export function republishOptions(properties: MessageProperties, self: string, extraHeaders: Record<string, unknown>): Options.Publish {
  const headers: Record<string, unknown> = { ...properties.headers };
  delete headers[DELIVERY_COUNT_HEADER];
  delete headers[PUBLISHED_BY_HEADER];
  const publisher = publisherOf(properties, self);
  if (publisher !== undefined) headers[PUBLISHED_BY_HEADER] = publisher;
  return {
    persistent: true,
    userId: self,
    ...(properties.contentType ? { contentType: String(properties.contentType) } : {}),
    ...(properties.messageId ? { messageId: String(properties.messageId) } : {}),
    ...(properties.correlationId ? { correlationId: String(properties.correlationId) } : {}),
    ...(properties.type ? { type: String(properties.type) } : {}),
    ...(properties.appId ? { appId: String(properties.appId) } : {}),
    ...(typeof properties.timestamp === 'number' ? { timestamp: properties.timestamp } : {}),
    headers: { ...headers, ...extraHeaders },
  };
}
