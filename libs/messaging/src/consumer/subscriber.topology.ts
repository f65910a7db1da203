import type { Channel } from 'amqplib';

/**
 * Queues of one subscriber, all derived from its name:
 *   <s>.events            quorum queue bound to the subscriber's routing patterns; after
 *                         `deliveryLimit` returns (crashes, requeues) the broker dead-letters a message
 *   <s>.events.retry.<d>  one per delay: a message sits there for <d>, then its TTL dead-letters it
 *                         back to <s>.events (through the default exchange, so no other subscriber
 *                         sees it again)
 *   <s>.events.dlq        parked messages, until `node scripts/redrive.mjs <s>` moves them back
 */
export interface SubscriberTopology {
  subscriber: string;
  exchange: string;
  bindings: string[];
  queue: string;
  deadLetterQueue: string;
  /** Delay before retry 1, 2, ...; after the last one a failing message is parked. */
  retryDelaysMs: number[];
  /** One queue per distinct delay. */
  retryQueues: { delayMs: number; name: string }[];
  deliveryLimit: number;
}

export const SUBSCRIBER_NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;

export function formatDelay(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

export function subscriberTopology(options: {
  subscriber: string;
  exchange: string;
  bindings: string[];
  retryDelaysMs: number[];
  deliveryLimit: number;
}): SubscriberTopology {
  if (!SUBSCRIBER_NAME_PATTERN.test(options.subscriber)) throw new Error(`Invalid subscriber name ${JSON.stringify(options.subscriber)}`);
  if (options.bindings.length === 0) throw new Error(`Subscriber ${options.subscriber} binds no routing pattern`);
  const queue = `${options.subscriber}.events`;
  if (options.retryDelaysMs.some((d) => !Number.isInteger(d) || d <= 0)) throw new Error('Retry delays must be positive integers (ms)');
  const delays = [...new Set(options.retryDelaysMs)];
  return {
    subscriber: options.subscriber,
    exchange: options.exchange,
    bindings: [...new Set(options.bindings)],
    queue,
    deadLetterQueue: `${queue}.dlq`,
    retryDelaysMs: [...options.retryDelaysMs],
    retryQueues: delays.map((delayMs) => ({ delayMs, name: `${queue}.retry.${formatDelay(delayMs)}` })),
    deliveryLimit: options.deliveryLimit,
  };
}

export function retryQueueName(topology: SubscriberTopology, delayMs: number): string {
  return `${topology.queue}.retry.${formatDelay(delayMs)}`;
}

/** Queue arguments; they must never change for an existing queue (the broker refuses a redeclare). */
export function queueArguments(topology: SubscriberTopology) {
  return {
    main: {
      'x-queue-type': 'quorum',
      'x-delivery-limit': topology.deliveryLimit,
      'x-dead-letter-exchange': '',
      'x-dead-letter-routing-key': topology.deadLetterQueue,
    },
    deadLetter: { 'x-queue-type': 'quorum' },
    retry: (delayMs: number) => ({
      'x-message-ttl': delayMs,
      'x-dead-letter-exchange': '',
      'x-dead-letter-routing-key': topology.queue,
    }),
  };
}

/** Idempotent: declares the exchange, the queues and the bindings. */
export async function declareTopology(channel: Channel, topology: SubscriberTopology): Promise<void> {
  const args = queueArguments(topology);
  await channel.assertExchange(topology.exchange, 'topic', { durable: true });
  await channel.assertQueue(topology.deadLetterQueue, { durable: true, arguments: args.deadLetter });
  for (const retry of topology.retryQueues) {
    // Classic queues: every message in one has the same TTL, so expiry is strictly FIFO.
    await channel.assertQueue(retry.name, { durable: true, arguments: args.retry(retry.delayMs) });
  }
  await channel.assertQueue(topology.queue, { durable: true, arguments: args.main });
  for (const pattern of topology.bindings) await channel.bindQueue(topology.queue, topology.exchange, pattern);
}
