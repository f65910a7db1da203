import { connect } from 'amqplib';
import type { TestSystem } from '../../support/test-system.js';

export interface StoredEvent {
  id: string;
  type: string;
  payload: { correlationId?: string; causationId?: string; occurredAt?: string };
  correlation_id: string;
}

/** Every event the producers have published so far, from their outboxes; with `auditedOnly`, those audit has recorded. */
export async function publishedEvents(system: TestSystem, { auditedOnly = false } = {}): Promise<StoredEvent[]> {
  const { rows: schemas } = await system.db.query<{ s: string }>(
    `SELECT table_schema AS s FROM information_schema.tables WHERE table_name = 'outbox'`,
  );
  const events: StoredEvent[] = [];
  for (const { s } of schemas) {
    const { rows } = await system.db.query<StoredEvent>(
      `SELECT id, type, payload, correlation_id FROM "${s}".outbox o WHERE published_at IS NOT NULL
         ${auditedOnly ? 'AND EXISTS (SELECT 1 FROM audit.records r WHERE r.event_id = o.id)' : ''} ORDER BY seq`,
    );
    events.push(...rows);
  }
  return events;
}

/**
 * Publishes `copies` copies of each event straight to the run's broker (exchange bank.events,
 * routing key = type, messageId = the event id, the same body and properties as the outbox relay
 * sends): a redelivery as the broker or a relay that crashed before marking its batch would make.
 * `together` sends the copies of an event back to back (they can land in one consumer batch);
 * otherwise every event once, then every event again.
 */
export async function publishCopies(system: TestSystem, events: StoredEvent[], { copies = 1, together = false } = {}): Promise<number> {
  // As the operator (an impersonator): each copy carries its producer's user, as the relay's would.
  const connection = await connect(system.operatorAmqpUrl);
  try {
    const channel = await connection.createConfirmChannel();
    const exchange = system.sys.env.EVENTS_EXCHANGE ?? 'bank.events';
    await channel.checkExchange(exchange);
    const publishOne = (event: StoredEvent) => {
      const occurred = Date.parse(event.payload.occurredAt ?? '');
      channel.publish(exchange, event.type, Buffer.from(JSON.stringify(event.payload)), {
        persistent: true,
        messageId: event.id,
        type: event.type,
        contentType: 'application/json',
        correlationId: event.correlation_id,
        userId: system.producerUser(event.type),
        ...(Number.isFinite(occurred) ? { timestamp: Math.floor(occurred / 1000) } : {}),
        headers: {
          'x-correlation-id': event.correlation_id,
          ...(event.payload.causationId ? { 'x-causation-id': event.payload.causationId } : {}),
        },
      });
    };
    const order = together
      ? events.flatMap((e) => Array.from({ length: copies }, () => e))
      : Array.from({ length: copies }, () => events).flat();
    for (const event of order) publishOne(event);
    await channel.waitForConfirms();
    await channel.close();
    return order.length;
  } finally {
    await connection.close();
  }
}

/** Sum of `events_consumed_total{outcome="duplicate"}` in an app's /metrics. */
export async function duplicatesSeen(system: TestSystem, app: string): Promise<number> {
  const res = await system.http(app).get('/metrics');
  let total = 0;
  for (const line of String(res.text).split('\n')) {
    if (line.startsWith('events_consumed_total{') && line.includes('outcome="duplicate"')) total += Number(line.split(' ').pop());
  }
  return total;
}
