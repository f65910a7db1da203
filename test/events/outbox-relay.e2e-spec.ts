import { randomUUID } from 'node:crypto';
import { type DynamicModule, type INestApplicationContext, Module } from '@nestjs/common';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createEnvelope, EventTypes, type EventEnvelope } from '@bank/contracts';
import { metricsRegistry } from '@bank/common';
import { DatabaseModule, Pruner, runServiceMigrations } from '@bank/database';
import {
  addOutboxParkingSql,
  addOutboxTraceContextSql,
  AmqpConnection,
  createOutboxTableSql,
  OutboxRelay,
  OutboxRelayModule,
  outboxWrite,
  type OutboxRelayTuning,
} from '@bank/messaging';
import { createTestDatabase, eventually, TcpProxy, uniqueName } from '@bank/testing';
import { startContext } from '../support/nest-context.js';
import { AMQP_HOST, AMQP_PORT, createTestVhost, TestBroker } from './support/events-fixtures.js';

const SCHEMA = 'producer';
const EXCHANGE = 'bank.events';

class CreateProducer1700000000000 implements MigrationInterface {
  name = 'CreateProducer1700000000000';
  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
    for (const sql of [...createOutboxTableSql(SCHEMA), ...addOutboxParkingSql(SCHEMA), ...addOutboxTraceContextSql(SCHEMA)])
      await db.query(sql);
  }
  async down(): Promise<void> {}
}

/** A producing service reduced to what the relay needs: its schema with an outbox. */
@Module({})
class ProducerModule {
  static forRoot(databaseUrl: string, amqpUrl: string, tuning: Partial<OutboxRelayTuning>): DynamicModule {
    return {
      module: ProducerModule,
      imports: [
        DatabaseModule.forRoot({ schema: SCHEMA, url: databaseUrl, poolSize: 4, migrations: [CreateProducer1700000000000] }),
        OutboxRelayModule.forRoot({
          schema: SCHEMA,
          broker: { AMQP_URL: amqpUrl, EVENTS_EXCHANGE: EXCHANGE, AMQP_RECONNECT_MAX_MS: 300 },
          tuning,
        }),
      ],
    };
  }
}

describe('outbox relay (real Postgres and RabbitMQ)', () => {
  const name = uniqueName('relay');
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let vhost: Awaited<ReturnType<typeof createTestVhost>>;
  let proxy: TcpProxy;
  let producer: INestApplicationContext;
  let broker: TestBroker;
  let watched: Awaited<ReturnType<TestBroker['watch']>>;
  let onDelivery: ((count: number) => void) | undefined;

  const count = async (where: string, params: unknown[] = []) =>
    (await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${SCHEMA}.outbox WHERE ${where}`, params)).rows[0].n;
  const received = (ids: string[]) => ids.map((id) => watched.messages.filter((m) => m.properties.messageId === id).length);

  async function write(
    count: number,
    runner: { query: (sql: string, params: unknown[]) => Promise<unknown> } = db.pool,
  ): Promise<EventEnvelope[]> {
    const events = Array.from({ length: count }, (_, i) =>
      createEnvelope(
        EventTypes.CustomerRegistered,
        { customerId: randomUUID(), phone: `+49151${String(i).padStart(8, '0')}` },
        { correlationId: `corr-${i}`, causationId: `cause-${i}` },
      ),
    );
    // As the producers do: the rows and the wake-up in one statement.
    const written = outboxWrite(SCHEMA, events, { param: 1 });
    await runner.query(written.sql, [written.param]);
    return events;
  }

  beforeAll(async () => {
    db = await createTestDatabase(name);
    vhost = await createTestVhost(name);
    await runServiceMigrations({ schema: SCHEMA, url: db.url, migrations: [CreateProducer1700000000000] });
    broker = await TestBroker.open(vhost.url());
    // Every customer event has a queue; other types have none (see the returned-message test).
    watched = await broker.watch(EXCHANGE, 'customer.#', (_message, count) => onDelivery?.(count));
    proxy = await TcpProxy.start({ targetHost: AMQP_HOST, targetPort: AMQP_PORT });
    // The poll is an hour: only NOTIFY (or a reconnect) can wake this relay.
    producer = await startContext(
      ProducerModule.forRoot(db.url, vhost.url('127.0.0.1', proxy.port), {
        pollMs: 3_600_000,
        batchSize: 20,
        retryMs: 100,
        parkAfterReturns: 3,
      }),
    );
    await producer.get(AmqpConnection).whenConnected(5_000);
  }, 30_000);

  afterAll(async () => {
    await producer?.close();
    await broker?.close();
    await proxy?.close();
    await vhost?.remove();
    await db?.drop();
  }, 30_000);

  it('publishes committed events within a second of the commit, with the envelope id, type and correlation', async () => {
    const started = Date.now();
    const events = await write(3);
    await eventually(() => received(events.map((e) => e.id)).every((n) => n === 1), {
      what: 'three events',
      timeoutMs: 1_000,
      intervalMs: 10,
    });
    expect(Date.now() - started).toBeLessThan(1_000);
    const message = watched.messages.find((m) => m.properties.messageId === events[0].id)!;
    expect(message.fields.routingKey).toBe('customer.registered');
    expect(message.properties.deliveryMode).toBe(2);
    // Stamped with the relay's broker user (the broker refuses any other), so subscribers can check who sent it.
    expect(message.properties.userId).toBe(new URL(vhost.url()).username);
    expect(message.properties.headers).toMatchObject({ 'x-correlation-id': 'corr-0', 'x-causation-id': 'cause-0' });
    expect(JSON.parse(message.content.toString())).toEqual(events[0]);
    // Marked after the broker's confirm, in the batch's one UPDATE.
    await eventually(
      async () => (await count('id = ANY($1) AND published_at IS NOT NULL AND attempts = 0', [events.map((e) => e.id)])) === 3,
      { what: 'rows marked published' },
    );
  });

  it('publishes nothing for a write that rolled back', async () => {
    const client = await db.pool.connect();
    let rolledBack: EventEnvelope[];
    try {
      await client.query('BEGIN');
      rolledBack = await write(1, client);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    // A later event arriving proves the relay ran after the rollback.
    const [sentinel] = await write(1);
    await eventually(() => received([sentinel.id])[0] === 1, { what: 'sentinel' });
    expect(received([rolledBack[0].id])).toEqual([0]);
  });

  it('keeps a row the broker refused (nack) unpublished, counts the attempt, and publishes it once the broker takes it', async () => {
    const relay = producer.get(OutboxRelay);
    // A queue that holds nothing and refuses rather than drops: on a confirm channel the broker nacks
    // every message routed to it (the other queues still get a copy: at least once, never lost).
    const { queue } = await broker.channel.assertQueue('', {
      exclusive: true,
      arguments: { 'x-max-length': 0, 'x-overflow': 'reject-publish' },
    });
    await broker.channel.bindQueue(queue, EXCHANGE, '#');
    const row = async (id: string) =>
      (
        await db.pool.query<{ published: boolean; attempts: number; last_error: string | null }>(
          `SELECT published_at IS NOT NULL AS published, attempts, last_error FROM ${SCHEMA}.outbox WHERE id = $1`,
          [id],
        )
      ).rows[0];

    try {
      const [event] = await write(1);
      await eventually(async () => (await row(event.id)).attempts === 1, { what: 'the refused attempt counted' });
      await relay.idle();
      expect(await row(event.id)).toEqual({ published: false, attempts: 1, last_error: expect.stringMatching(/nack/i) as string });

      // Asked again (once its retry delay is over) while the broker still refuses: one more attempt, still not marked.
      const again = async () => {
        relay.kick();
        await relay.idle();
        return row(event.id);
      };
      await eventually(async () => (await again()).attempts === 2, { what: 'the second refused attempt' });
      expect(await row(event.id)).toMatchObject({ published: false, attempts: 2 });

      await broker.channel.deleteQueue(queue);
      await eventually(async () => (await again()).published, { what: 'the row published once the broker takes it' });
      expect(await row(event.id)).toMatchObject({ published: true, attempts: 2 });
    } finally {
      // A refusing queue left bound to '#' would nack every later test's events.
      await broker.channel.deleteQueue(queue).catch(() => undefined);
    }
  });

  it('keeps events through a broker outage and delivers all of them once it is back', async () => {
    const amqp = producer.get(AmqpConnection);
    proxy.cut();
    await eventually(() => !amqp.isConnected, { what: 'relay to notice the outage' });
    expect(() => amqp.healthProbe().check()).toThrow(/not connected/);

    const events = await write(45);
    expect(await count('id = ANY($1) AND published_at IS NULL', [events.map((e) => e.id)])).toBe(45);
    expect(received(events.map((e) => e.id)).every((n) => n === 0)).toBe(true);

    proxy.restore();
    await eventually(() => received(events.map((e) => e.id)).every((n) => n === 1), { what: 'the backlog', timeoutMs: 10_000 });
    await eventually(async () => (await count('published_at IS NULL')) === 0, { what: 'rows marked' });
    expect(() => amqp.healthProbe().check()).not.toThrow();
  }, 20_000);

  it('loses nothing when the broker vanishes in the middle of a stream', async () => {
    const amqp = producer.get(AmqpConnection);
    const before = watched.messages.length;
    onDelivery = (count) => {
      if (count === before + 5) proxy.cut();
    };
    const events = await write(300);
    await eventually(() => proxy.state === 'cut', { what: 'the cut' });
    onDelivery = undefined;
    await eventually(() => !amqp.isConnected, { what: 'relay to notice the outage' });
    proxy.restore();
    const ids = events.map((e) => e.id);
    await eventually(() => received(ids).every((n) => n >= 1), { what: 'all 300 events', timeoutMs: 15_000 });
    // At least once: a batch whose confirms were lost may come again (consumers dedupe), at most one batch of it.
    const duplicates = received(ids).reduce((sum, n) => sum + (n - 1), 0);
    expect(duplicates).toBeLessThanOrEqual(20);
    await eventually(async () => (await count('published_at IS NULL')) === 0, { what: 'rows marked' });
  }, 30_000);

  it('lets two relay replicas share one outbox without publishing a row twice', async () => {
    const replica = await startContext(ProducerModule.forRoot(db.url, vhost.url(), { pollMs: 3_600_000, batchSize: 20 }));
    try {
      await replica.get(AmqpConnection).whenConnected(5_000);
      const batches = await Promise.all([write(150), write(150), write(150)]);
      const ids = batches.flat().map((e) => e.id);
      await eventually(() => received(ids).every((n) => n >= 1), { what: '450 events', timeoutMs: 15_000 });
      expect(received(ids).every((n) => n === 1)).toBe(true);
    } finally {
      await replica.close();
    }
  }, 30_000);

  it('prunes published rows older than the retention and keeps the rest', async () => {
    const events = await write(10);
    await eventually(() => received(events.map((e) => e.id)).every((n) => n === 1), { what: 'ten events' });
    await eventually(async () => (await count('published_at IS NULL')) === 0);
    const old = events.slice(0, 4).map((e) => e.id);
    await db.pool.query(`UPDATE ${SCHEMA}.outbox SET published_at = now() - interval '8 days' WHERE id = ANY($1)`, [old]);
    const total = await count('true');
    expect(await producer.get(Pruner).pruneAll()).toEqual({ '"producer".outbox': 4 });
    const after = await db.pool.query<{ id: string }>(`SELECT id FROM ${SCHEMA}.outbox`);
    expect(after.rows).toHaveLength(total - 4);
    expect(after.rows.map((r) => r.id)).not.toEqual(expect.arrayContaining([old[0]]));
  });

  it('reports the backlog and the publish lag in /metrics', async () => {
    const text = await metricsRegistry.metrics();
    expect(text).toMatch(/outbox_backlog\{schema="producer"\} 0/);
    const lagCount = /outbox_publish_lag_seconds_count\{schema="producer"\} (\d+)/.exec(text);
    expect(Number(lagCount?.[1])).toBeGreaterThan(0);
  });

  it('does not mark a message no queue is bound for as published: retries it, then parks it with an alert', async () => {
    const unbound = {
      ...createEnvelope(EventTypes.CustomerRegistered, { customerId: randomUUID(), phone: '+4915100000001' }, { correlationId: 'c' }),
    };
    const stray = { ...unbound, type: 'nobody.listens' } as unknown as EventEnvelope;
    const written = outboxWrite(SCHEMA, [stray], { param: 1 });
    await db.pool.query(written.sql, [written.param]);
    await eventually(async () => (await count('id = $1 AND parked_at IS NOT NULL', [stray.id])) === 1, { what: 'the row parked' });
    const { rows } = await db.pool.query<{ published_at: Date | null; attempts: number; last_error: string }>(
      `SELECT published_at, attempts, last_error FROM ${SCHEMA}.outbox WHERE id = $1`,
      [stray.id],
    );
    expect(rows[0]).toEqual({ published_at: null, attempts: 3, last_error: 'returned by the broker: no queue bound to nobody.listens' });
    // Parked is parked: no longer claimed, and the events behind it still flow.
    const [after] = await write(1);
    await eventually(() => received([after.id])[0] === 1, { what: 'a routable event after the parked one' });
    await producer.get(OutboxRelay).idle();
    expect(await producer.get(OutboxRelay).relayBatch()).toEqual({ claimed: 0, published: 0, returned: 0 });
    expect(await count('id = $1 AND attempts = 3', [stray.id])).toBe(1);
    const text = await metricsRegistry.metrics();
    expect(text).toMatch(/outbox_parked_total\{schema="producer",type="nobody.listens"\} 1/);
    expect(text).toMatch(/outbox_parked\{schema="producer"\} 1/);
    expect(text).toMatch(/outbox_published_total\{schema="producer",outcome="returned"\} 3/);
  });
});
