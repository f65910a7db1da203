import { Counter, Gauge, Histogram } from 'prom-client';
import { metricsRegistry } from '@bank/common';

/**
 * Metrics of the outbox relay and the event consumers. Defined once per process (prom-client
 * refuses a second metric of the same name); each relay or subscriber reports under its label.
 * Gauges that need a round trip (backlog, queue depth) are read when /metrics is scraped.
 */

export interface OutboxBacklogSource {
  schema: string;
  backlog(): Promise<{ count: number; oldestAgeSeconds: number; parked: number }>;
}
export interface QueueDepthSource {
  subscriber: string;
  depths(): Promise<Record<string, number>>;
}

const backlogSources = new Set<OutboxBacklogSource>();
const queueDepthSources = new Set<QueueDepthSource>();

export function registerBacklogSource(source: OutboxBacklogSource): () => void {
  backlogSources.add(source);
  return () => backlogSources.delete(source);
}
export function registerQueueDepthSource(source: QueueDepthSource): () => void {
  queueDepthSources.add(source);
  return () => queueDepthSources.delete(source);
}

const backlogs = () =>
  Promise.all([...backlogSources].map(async (s) => ({ schema: s.schema, value: await s.backlog().catch(() => undefined) })));

export const outboxBacklog = new Gauge({
  name: 'outbox_backlog',
  help: 'Outbox rows not yet confirmed by the broker',
  labelNames: ['schema'] as const,
  registers: [metricsRegistry],
  async collect() {
    this.reset();
    for (const { schema, value } of await backlogs()) if (value) this.set({ schema }, value.count);
  },
});

export const outboxOldestUnpublished = new Gauge({
  name: 'outbox_oldest_unpublished_seconds',
  help: 'Age of the oldest outbox row not yet published (0 when none)',
  labelNames: ['schema'] as const,
  registers: [metricsRegistry],
  async collect() {
    this.reset();
    for (const { schema, value } of await backlogs()) if (value) this.set({ schema }, value.oldestAgeSeconds);
  },
});

export const outboxParkedRows = new Gauge({
  name: 'outbox_parked',
  help: 'Outbox rows parked because the broker returned them (no queue bound): alert when above 0',
  labelNames: ['schema'] as const,
  registers: [metricsRegistry],
  async collect() {
    this.reset();
    for (const { schema, value } of await backlogs()) if (value) this.set({ schema }, value.parked);
  },
});

export const outboxParked = new Counter({
  name: 'outbox_parked_total',
  help: 'Outbox rows parked after being returned by the broker too often',
  labelNames: ['schema', 'type'] as const,
  registers: [metricsRegistry],
});

export const outboxPublishLag = new Histogram({
  name: 'outbox_publish_lag_seconds',
  help: 'From the outbox insert to the broker confirm',
  labelNames: ['schema'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300],
  registers: [metricsRegistry],
});

export const outboxPublished = new Counter({
  name: 'outbox_published_total',
  help: 'Outbox rows published, by outcome (confirmed, returned: no queue bound, or failed)',
  labelNames: ['schema', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const eventsConsumed = new Counter({
  name: 'events_consumed_total',
  help: 'Delivered events by outcome: processed, duplicate, retried, dead_lettered',
  labelNames: ['subscriber', 'type', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const eventRetries = new Counter({
  name: 'event_retries_total',
  help: 'Events sent to a delayed retry queue',
  labelNames: ['subscriber', 'delay'] as const,
  registers: [metricsRegistry],
});

export const eventConsumerLag = new Histogram({
  name: 'event_consumer_lag_seconds',
  help: 'From occurredAt of an event to the commit of its effect in the subscriber',
  labelNames: ['subscriber'] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300],
  registers: [metricsRegistry],
});

export const eventBatchSize = new Histogram({
  name: 'event_batch_size',
  help: 'Events committed per subscriber transaction',
  labelNames: ['subscriber'] as const,
  buckets: [1, 2, 5, 10, 25, 50, 100, 250],
  registers: [metricsRegistry],
});

export const eventQueueMessages = new Gauge({
  name: 'event_queue_messages',
  help: 'Ready messages in a subscriber queue (queue: main, dlq, or retry.<delay>)',
  labelNames: ['subscriber', 'queue'] as const,
  registers: [metricsRegistry],
  async collect() {
    this.reset();
    const all = await Promise.all(
      [...queueDepthSources].map(async (s) => ({ subscriber: s.subscriber, depths: await s.depths().catch(() => ({})) })),
    );
    for (const { subscriber, depths } of all) {
      for (const [queue, count] of Object.entries(depths)) this.set({ subscriber, queue }, count);
    }
  },
});
