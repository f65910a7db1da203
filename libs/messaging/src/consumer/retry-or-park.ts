import type { Logger } from '@nestjs/common';
import type { MessageProperties, Options } from 'amqplib';
import type { AmqpConnection } from '../amqp/amqp-connection.js';
import { eventRetries, eventsConsumed } from '../metrics/messaging.metrics.js';
import { ack, nack, type DecodedDelivery, type Delivery } from './delivery.js';
import {
  attemptOf,
  DELIVERY_COUNT_HEADER,
  failureCodeOf,
  nextStep,
  PARK_REASON_HEADER,
  PUBLISHED_BY_HEADER,
  publisherOf,
  RETRY_COUNT_HEADER,
  retriesSoFar,
} from './failure-policy.js';
import { inEventContext, type InboundEvent } from './inbound-event-handler.js';
import { formatDelay, type SubscriberTopology } from './subscriber.topology.js';

const MAX_ERROR_HEADER = 200;

export interface RetryOrParkDeps {
  subscriber: string;
  topology: SubscriberTopology;
  /** Publishes the moved message (confirmed) as the subscriber's own broker user. */
  amqp: Pick<AmqpConnection, 'publish' | 'user'>;
  logger: Pick<Logger, 'warn' | 'error'>;
  /** Writes where a failed event went to the subscriber's database (GET /inbox/:eventId reads it); absent: not recorded. */
  record?: (failure: EventFailure) => Promise<void>;
}

/** Where one event the subscriber could not apply went, as its database keeps it. */
export interface EventFailure {
  eventId: string;
  eventType: string;
  state: 'retrying' | 'parked';
  /** Attempts made so far, this failed one included (attemptOf). */
  attempts: number;
  /** failureCodeOf the error: never its message. */
  errorCode: string;
  /** Parked: why, without the error's message (FailureStep's `recorded`). */
  reason?: string;
}

/**
 * Where a message goes when it cannot be applied now: the delayed retry queue, or the DLQ when the
 * error cannot heal or the retries are used up. The original is acked only once the copy is confirmed.
 */
export class RetryOrPark {
  constructor(private readonly deps: RetryOrParkDeps) {}

  /** The retry path, or the DLQ when the error cannot heal or the retries are used up. */
  async fail(delivery: DecodedDelivery, error: unknown): Promise<void> {
    const { subscriber, topology, logger } = this.deps;
    const step = nextStep(error, retriesSoFar(delivery.message.properties.headers), topology);
    const message = error instanceof Error ? error.message : String(error);
    const failure = {
      eventId: delivery.event.id,
      eventType: delivery.event.type,
      attempts: attemptOf(delivery.message),
      errorCode: failureCodeOf(error),
    };
    if (step.action === 'park') {
      await this.park(delivery, step.reason, delivery.event);
      return this.record({ ...failure, state: 'parked', reason: step.recorded });
    }
    inEventContext(delivery.event, () =>
      logger.warn({
        msg: 'event failed, retrying later',
        eventId: delivery.event.id,
        type: delivery.event.type,
        retry: step.retry,
        delayMs: step.delayMs,
        err: message,
      }),
    );
    try {
      await this.moveTo(step.queue, delivery, { [RETRY_COUNT_HEADER]: step.retry, 'x-last-error': message.slice(0, MAX_ERROR_HEADER) });
      eventsConsumed.inc({ subscriber, type: delivery.event.type, outcome: 'retried' });
      eventRetries.inc({ subscriber, delay: formatDelay(step.delayMs) });
    } catch (publishError) {
      // Could not hand it to the retry queue: give it back; the delivery limit bounds this loop.
      logger.warn({ msg: 'retry publish failed, requeueing', err: (publishError as Error).message });
      nack(delivery, true);
    }
    // Requeued rather than moved, it still waits for a retry: the state holds either way.
    await this.record({ ...failure, state: 'retrying' });
  }

  /**
   * After the move, in its own statement (the failed transaction is gone): a failure to write it
   * (often the very database outage that failed the event) is logged and changes nothing else.
   */
  private async record(failure: EventFailure): Promise<void> {
    if (!this.deps.record) return;
    try {
      await this.deps.record(failure);
    } catch (error) {
      this.deps.logger.warn({ msg: 'could not record the event failure', eventId: failure.eventId, err: (error as Error).message });
    }
  }

  /** Moves a message to the DLQ with the reason in a header; if that fails the broker dead-letters it. */
  async park(delivery: Delivery, reason: string, event?: InboundEvent): Promise<void> {
    const { subscriber, topology, logger } = this.deps;
    const type = event?.type ?? 'unknown';
    const log = () =>
      logger.error({
        msg: 'event parked in the dead-letter queue',
        eventId: event?.id,
        messageId: String(delivery.message.properties.messageId ?? ''),
        type,
        reason,
      });
    if (event) inEventContext(event, log);
    else log();
    try {
      await this.moveTo(topology.deadLetterQueue, delivery, {
        [PARK_REASON_HEADER]: reason.slice(0, MAX_ERROR_HEADER),
        'x-parked-at': new Date().toISOString(),
        'x-parked-by': subscriber,
      });
    } catch {
      nack(delivery, false);
    }
    eventsConsumed.inc({ subscriber, type, outcome: 'dead_lettered' });
  }

  /** A confirmed copy in `queue` (default exchange), then the original acked: never both lost, at worst both kept. */
  private async moveTo(queue: string, delivery: Delivery, headers: Record<string, unknown>): Promise<void> {
    const { amqp } = this.deps;
    await amqp.publish('', queue, delivery.message.content, republishOptions(delivery.message.properties, amqp.user, headers));
    ack(delivery);
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
