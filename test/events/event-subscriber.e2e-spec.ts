import { type DynamicModule, type INestApplicationContext, Injectable, Module } from '@nestjs/common';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { devFaults } from '@bank/common';
import { EventTypes, type EventEnvelope } from '@bank/contracts';
import { DatabaseModule, runServiceMigrations, type SqlRunner } from '@bank/database';
import {
  addInboxAttemptsSql,
  AmqpConnection,
  createInboxFailuresTableSql,
  createInboxTableSql,
  EventSubscriber,
  EventSubscriberModule,
  InboxController,
  OnEvents,
  type InboundEvent,
  type InboundEventHandler,
} from '@bank/messaging';
import { createTestDatabase, eventually, TcpProxy, uniqueName } from '@bank/testing';
import { startContext } from '../support/nest-context.js';
import { event, newCustomer, registered } from './support/event-builders.js';
import { AMQP_HOST, AMQP_PORT, createTestVhost, TestBroker } from './support/events-fixtures.js';

const EXCHANGE = 'bank.events';
/** Events the probe handler fails on, as a bug or a missing dependency would. */
const failing = new Set<string>();
/** Events the probe handler fails on this many more times, then applies. */
const failuresLeft = new Map<string, number>();

class CreateProbe1700000000000 implements MigrationInterface {
  name = 'CreateProbe1700000000000';
  async up(db: QueryRunner): Promise<void> {
    // One row per application of an event, with the transaction that did it: double applications and commit counts show.
    await db.query(
      `CREATE TABLE probe.applied (seq bigserial PRIMARY KEY, event_id uuid NOT NULL, batch_size int NOT NULL, tx bigint NOT NULL DEFAULT txid_current())`,
    );
    for (const sql of [...createInboxTableSql('probe'), ...addInboxAttemptsSql('probe'), ...createInboxFailuresTableSql('probe')])
      await db.query(sql);
  }
  async down(): Promise<void> {}
}

@OnEvents(EventTypes.CustomerRegistered)
@Injectable()
class ProbeHandler implements InboundEventHandler {
  async handle(events: readonly InboundEvent[], tx: SqlRunner): Promise<void> {
    if (events.some((e) => failing.has(e.id))) throw new Error('boom');
    const flaky = events.find((e) => (failuresLeft.get(e.id) ?? 0) > 0);
    if (flaky) {
      failuresLeft.set(flaky.id, failuresLeft.get(flaky.id)! - 1);
      throw new Error('not yet');
    }
    await tx.rows(`INSERT INTO probe.applied (event_id, batch_size) SELECT unnest($1::uuid[]), $2`, [
      events.map((e) => e.id),
      events.length,
    ]);
  }
}

@Module({})
class ProbeModule {
  static forRoot(databaseUrl: string, amqpUrl: string, rolePrefix: string): DynamicModule {
    return {
      module: ProbeModule,
      imports: [
        DatabaseModule.forRoot({ schema: 'probe', url: databaseUrl, poolSize: 4, migrations: [CreateProbe1700000000000] }),
        EventSubscriberModule.forRoot({
          subscriber: 'probe',
          schema: 'probe',
          handlers: [ProbeHandler],
          // Everything, so events nobody handles arrive too.
          bindings: ['#'],
          broker: { AMQP_URL: amqpUrl, EVENTS_EXCHANGE: EXCHANGE, AMQP_RECONNECT_MAX_MS: 300, ROLE_PREFIX: rolePrefix },
          tuning: { prefetch: 50, retryDelaysMs: [100, 200], deliveryLimit: 3 },
        }),
      ],
    };
  }
}

describe('event subscriber plumbing (real Postgres and RabbitMQ)', () => {
  const name = uniqueName('consumer');
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let vhost: Awaited<ReturnType<typeof createTestVhost>>;
  let broker: TestBroker;
  let proxy: TcpProxy;
  let app: INestApplicationContext | undefined;

  const start = async (amqpUrl = vhost.url('127.0.0.1', proxy.port)) => {
    const started = await startContext(ProbeModule.forRoot(db.url, amqpUrl, vhost.prefix));
    await eventually(() => started.get(EventSubscriber).isConsuming, { what: 'consumer' });
    return started;
  };
  const publish = (e: EventEnvelope | { id: string; type: string }, body: unknown = e) =>
    broker.publish(EXCHANGE, e.type, body, { messageId: e.id, userId: vhost.producerUser(e.type) });
  const applications = async (ids: string[]) => {
    const { rows } = await db.pool.query<{ event_id: string; n: number }>(
      `SELECT event_id, count(*)::int AS n FROM probe.applied WHERE event_id = ANY($1) GROUP BY event_id`,
      [ids],
    );
    return new Map(rows.map((r) => [r.event_id, r.n]));
  };
  const allAppliedOnce = async (ids: string[]) => {
    const counts = await applications(ids);
    return ids.every((id) => counts.get(id) === 1);
  };
  const attempts = async (id: string) =>
    (await db.pool.query<{ attempts: number }>(`SELECT attempts FROM probe.inbox WHERE event_id = $1`, [id])).rows[0]?.attempts;
  const dlq = async () => (await broker.channel.checkQueue('probe.events.dlq')).messageCount;
  /** GET /inbox/:eventId's answer (the controller the subscriber module mounts), or the 404's code. */
  const inbox = async (id: string) => {
    try {
      return (await app!.get(InboxController).get(id)) as unknown as Record<string, unknown>;
    } catch (error) {
      return { error: (error as { code?: string }).code };
    }
  };
  const failureRow = async (id: string) =>
    (
      await db.pool.query<{ state: string; attempts: number; error_code: string; reason: string | null }>(
        'SELECT state, attempts, error_code, reason FROM probe.inbox_failures WHERE event_id = $1',
        [id],
      )
    ).rows[0];

  beforeAll(async () => {
    db = await createTestDatabase(name);
    vhost = await createTestVhost(name);
    await runServiceMigrations({ schema: 'probe', url: db.url, migrations: [CreateProbe1700000000000] });
    broker = await TestBroker.open(vhost.url());
    proxy = await TcpProxy.start({ targetHost: AMQP_HOST, targetPort: AMQP_PORT });
    app = await start();
  }, 30_000);

  afterAll(async () => {
    await app?.close();
    await broker?.close();
    await proxy?.close();
    await vhost?.remove();
    await db?.drop();
  }, 30_000);

  it('applies a backlog in few transactions, and one failing event does not hold back its batch', async () => {
    // Stop consuming so a backlog builds up, as after a deploy or an outage.
    await app!.close();
    app = undefined;
    const events = Array.from({ length: 120 }, () => registered(newCustomer()));
    const bad = events[37];
    failing.add(bad.id);
    await Promise.all(events.map((e) => publish(e)));
    app = await start();

    const good = events.filter((e) => e !== bad).map((e) => e.id);
    await eventually(() => allAppliedOnce(good), { what: '119 events applied once', timeoutMs: 10_000 });
    const { rows } = await db.pool.query<{ commits: number; largest: number }>(
      `SELECT count(DISTINCT tx)::int AS commits, max(batch_size)::int AS largest FROM probe.applied WHERE event_id = ANY($1)`,
      [good],
    );
    // Batches of up to the prefetch (50); the one holding the bad event was redone one by one.
    expect(rows[0].largest).toBeGreaterThan(1);
    expect(rows[0].commits).toBeLessThan(119);

    // The bad one: retried twice (100 ms, 200 ms), then parked with the reason.
    await eventually(async () => (await dlq()) === 1, { what: 'the failing event parked', timeoutMs: 5_000 });
    const parked = await broker.channel.get('probe.events.dlq', { noAck: false });
    expect(parked && parked.properties.messageId).toBe(bad.id);
    expect(parked && parked.properties.headers?.['x-parked-reason']).toBe('gave up after 2 retries: boom');
    expect(parked && parked.properties.headers?.['x-retry-count']).toBe(2);
    if (parked) broker.channel.ack(parked);
    expect((await applications([bad.id])).get(bad.id)).toBeUndefined();
    // Its subscriber says where it sits, with the error's class and a reason that quotes no message.
    expect(await inbox(bad.id)).toEqual({
      subscriber: 'probe',
      eventId: bad.id,
      eventType: bad.type,
      handled: false,
      state: 'parked',
      attempts: 3,
      errorCode: 'Error',
      reason: 'gave up after 2 retries',
      updatedAt: expect.any(String),
    });
    failing.delete(bad.id);
  }, 30_000);

  it('records in the inbox after how many attempts an event was applied: 1 first time, more after retries and redeliveries', async () => {
    const first = registered(newCustomer());
    const retried = registered(newCustomer());
    failuresLeft.set(retried.id, 2);
    await publish(first);
    await publish(retried);
    await eventually(() => allAppliedOnce([first.id, retried.id]), { what: 'both applied', timeoutMs: 5_000 });
    expect(failuresLeft.get(retried.id)).toBe(0);
    expect({ first: await attempts(first.id), retried: await attempts(retried.id) }).toEqual({ first: 1, retried: 3 });

    // Given back by a consumer that died on it once, then applied: the broker's redelivery counts too.
    await app!.close();
    app = undefined;
    const returned = registered(newCustomer());
    await publish(returned);
    const channel = await broker.connection.createChannel();
    const got = await eventually(async () => (await channel.get('probe.events', { noAck: false })) || undefined, { what: 'the message' });
    channel.nack(got, false, true);
    await channel.close();
    app = await start();
    await eventually(() => allAppliedOnce([returned.id]), { what: 'the returned event applied' });
    expect(await attempts(returned.id)).toBe(2);
    // "Break it": fail the next event on purpose; it goes the retry queue's way like a failing handler's.
    devFaults.set({ refuseNext: 1 });
    const refused = registered(newCustomer());
    const seen: unknown[] = [];
    try {
      await publish(refused);
      // Its answer while it waits in the retry queue (100 ms: caught if the poll lands there), then once applied.
      await eventually(
        async () => {
          const answer = await inbox(refused.id);
          if (seen.at(-1) !== answer.state) seen.push(answer.state);
          return allAppliedOnce([refused.id]);
        },
        { what: 'the refused event applied after a retry', timeoutMs: 5_000 },
      );
    } finally {
      devFaults.reset();
    }
    expect(await attempts(refused.id)).toBe(2);
    expect(seen.filter((state) => state !== undefined && state !== 'retrying')).toEqual([]);
    // The failure was recorded (first attempt, the fault's code); the inbox row wins now that it is applied.
    expect(await failureRow(refused.id)).toEqual({ state: 'retrying', attempts: 1, error_code: 'DEVELOPMENT_FAULT', reason: null });
    expect(await inbox(refused.id)).toEqual({
      subscriber: 'probe',
      eventId: refused.id,
      eventType: refused.type,
      handledAt: expect.any(String),
      attempts: 2,
    });
    // An event it never failed on and never saw: the 404 as before.
    expect(await inbox(registered(newCustomer()).id)).toEqual({ error: 'EVENT_NOT_HANDLED' });
    // A duplicate after the fact changes nothing: the row keeps the attempt that applied it.
    await publish(returned);
    await publish(first);
    const behind = registered(newCustomer());
    await publish(behind);
    await eventually(() => allAppliedOnce([behind.id]), { what: 'the event behind the duplicates' });
    expect({ first: await attempts(first.id), returned: await attempts(returned.id) }).toEqual({ first: 1, returned: 2 });
  }, 20_000);

  it('parks malformed messages and events nobody handles at once, and keeps going', async () => {
    const before = await dlq();
    const unknown = event(EventTypes.CustomerRegistered, { customerId: newCustomer().customerId, phone: '+4915100000000' });
    await publish({ id: unknown.id, type: 'loan.granted' }, { ...unknown, type: 'loan.granted' });
    await broker.publish(EXCHANGE, 'customer.registered', Buffer.from('[]'), { messageId: 'x' });
    const after = registered(newCustomer());
    await publish(after);
    await eventually(() => allAppliedOnce([after.id]), { what: 'the event behind' });
    await eventually(async () => (await dlq()) === before + 2, { what: 'two parked' });
    const reasons: string[] = [];
    for (let i = 0; i < 2; i++) {
      const parked = await broker.channel.get('probe.events.dlq', { noAck: false });
      if (parked) {
        reasons.push(String(parked.properties.headers?.['x-parked-reason']));
        broker.channel.ack(parked);
      }
    }
    expect(reasons.sort()).toEqual(['malformed: body is not a JSON object', 'no handler for event type loan.granted']);
  });

  it("parks, without applying, an event that its type's producer did not publish", async () => {
    const before = await dlq();
    const producer = vhost.producerUser(EventTypes.CustomerRegistered);
    const byAnalytics = registered(newCustomer());
    const unnamed = registered(newCustomer());
    // A header claiming the producer counts for nothing: only the broker-checked userId does.
    await broker.publish(EXCHANGE, byAnalytics.type, byAnalytics, {
      messageId: byAnalytics.id,
      userId: `${vhost.prefix}analytics`,
      headers: { 'x-published-by': producer },
    });
    await broker.publish(EXCHANGE, unnamed.type, unnamed, { messageId: unnamed.id, headers: { 'x-published-by': producer } });
    const genuine = registered(newCustomer());
    await publish(genuine);
    await eventually(() => allAppliedOnce([genuine.id]), { what: 'the genuine event behind' });
    await eventually(async () => (await dlq()) === before + 2, { what: 'two parked' });
    const parked: Record<string, string> = {};
    for (let i = 0; i < 2; i++) {
      const message = await broker.channel.get('probe.events.dlq', { noAck: false });
      if (message) {
        parked[String(message.properties.messageId)] = String(message.properties.headers?.['x-parked-reason']);
        broker.channel.ack(message);
      }
    }
    expect(parked).toEqual({
      [byAnalytics.id]: `untrusted publisher: customer.registered must come from ${producer}, not ${vhost.prefix}analytics`,
      [unnamed.id]: `untrusted publisher: customer.registered must come from ${producer}, not an unnamed publisher`,
    });
    expect(await applications([byAnalytics.id, unnamed.id])).toEqual(new Map());
  });

  it('parks a message the broker gave out too often (consumers crashed on it)', async () => {
    await app!.close();
    app = undefined;
    const before = await dlq();
    const victim = registered(newCustomer());
    await publish(victim);
    // A consumer that dies on the message every time: it goes back to the queue unacked.
    const channel = await broker.connection.createChannel();
    let deliveries = 0;
    await channel.consume('probe.events', (message) => {
      if (!message) return;
      deliveries++;
      channel.nack(message, false, true);
    });
    await eventually(async () => (await dlq()) === before + 1, { what: 'parked by the broker', timeoutMs: 5_000 });
    await channel.close();
    expect(deliveries).toBeGreaterThanOrEqual(3);
    const parked = await broker.channel.get('probe.events.dlq', { noAck: false });
    expect(parked && parked.properties.messageId).toBe(victim.id);
    if (parked) broker.channel.ack(parked);
    app = await start();
  }, 20_000);

  it('rides out a broker outage: unhealthy meanwhile, and every event is applied once after', async () => {
    const amqp = app!.get(AmqpConnection);
    proxy.cut();
    await eventually(() => !amqp.isConnected, { what: 'outage noticed' });
    expect(() => amqp.healthProbe().check()).toThrow();
    const events = Array.from({ length: 30 }, () => registered(newCustomer()));
    for (const e of events) await publish(e);
    proxy.restore();
    await eventually(() => amqp.isConnected && app!.get(EventSubscriber).isConsuming, { what: 'reconnected consumer', timeoutMs: 5_000 });
    expect(() => amqp.healthProbe().check()).not.toThrow();
    await eventually(() => allAppliedOnce(events.map((e) => e.id)), { what: 'events after the outage' });
  }, 20_000);

  it('applies each event once with two replicas consuming duplicates', async () => {
    const replica = await start(vhost.url());
    try {
      const events = Array.from({ length: 60 }, () => registered(newCustomer()));
      await Promise.all(events.flatMap((e) => [publish(e), publish(e), publish(e)]));
      await eventually(() => allAppliedOnce(events.map((e) => e.id)), { what: 'events applied', timeoutMs: 10_000 });
      // Every copy is acked: nothing waits in the queue for a redelivery.
      await eventually(async () => (await broker.channel.checkQueue('probe.events')).messageCount === 0, { what: 'queue drained' });
      expect(await allAppliedOnce(events.map((e) => e.id))).toBe(true);
    } finally {
      await replica.close();
    }
  }, 20_000);
});
