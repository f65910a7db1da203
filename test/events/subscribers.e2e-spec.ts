import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { MAX_AMOUNT, type EventEnvelope } from '@bank/contracts';
import { loadConfig, metricsRegistry } from '@bank/common';
import { runServiceMigrations } from '@bank/database';
import { EventSubscriber } from '@bank/messaging';
import { AnalyticsModule } from '../../apps/analytics/src/analytics.module.js';
import { AnalyticsConfig } from '../../apps/analytics/src/config/analytics.config.js';
import { analyticsMigrations } from '../../apps/analytics/src/migrations/index.js';
import { AuditModule } from '../../apps/audit/src/audit.module.js';
import { AuditConfig } from '../../apps/audit/src/config/audit.config.js';
import { auditMigrations } from '../../apps/audit/src/migrations/index.js';
import { NotificationsConfig } from '../../apps/notifications/src/config/notifications.config.js';
import { notificationsMigrations } from '../../apps/notifications/src/migrations/index.js';
import { NotificationsModule } from '../../apps/notifications/src/notifications.module.js';
import { deposited, failed, newCustomer, opened, registered, transferred, type Customer } from './support/event-builders.js';
import { createTestDatabase, eventually, uniqueName } from '@bank/testing';
import { createTestVhost, httpsGet, startHttpApp, testCerts, TestBroker, type RunningHttpApp } from './support/events-fixtures.js';

const run = promisify(execFile);
const EXCHANGE = 'bank.events';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Summary {
  transfers: { completed: number; failed: number };
  /** A number while exact, a decimal string past 2^53-1. */
  volume: Record<string, number | string>;
  deposits: { count: number; volume: Record<string, number> };
  customers: number;
  accounts: number;
  updatedAt: string | null;
}
interface AuditEvent {
  seq: number;
  eventId: string;
  type: string;
  correlationId: string;
  occurredAt: string;
  recordedAt: string;
  hash: string;
  prevHash: string;
  data: Record<string, unknown>;
  attempts?: number;
}
interface OutboxMessage {
  id: string;
  recipient: string;
  channel: string;
  body: string;
  sentAt: string;
}

/** As the operator, over TLS: every read of these apps needs an allowed client certificate. */
async function getJson<T>(url: string): Promise<{ status: number; body: T; type: string | null }> {
  const { status, body, type } = await httpsGet(url);
  return { status, body: body as T, type };
}

/** Sum of a counter's samples matching the labels, read from this process's registry. */
async function counterValue(name: string, labels: Record<string, string>): Promise<number> {
  const metric = metricsRegistry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values.filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l)).reduce((sum, v) => sum + v.value, 0);
}

describe('subscribers: audit, analytics, notifications (real Postgres and RabbitMQ)', () => {
  const name = uniqueName('subs');
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let vhost: Awaited<ReturnType<typeof createTestVhost>>;
  let broker: TestBroker;
  let audit: RunningHttpApp;
  let analytics: RunningHttpApp;
  let notifications: RunningHttpApp;

  const publish = async (envelope: EventEnvelope, times = 1) => {
    for (let i = 0; i < times; i++)
      await broker.publish(EXCHANGE, envelope.type, envelope, { messageId: envelope.id, userId: vhost.producerUser(envelope.type) });
  };
  const summary = async () => (await getJson<Summary>(`${analytics.url}/analytics/summary`)).body;
  const auditEvents = async (query = '') => (await getJson<AuditEvent[]>(`${audit.url}/audit/events?limit=1000${query}`)).body;
  const outbox = async (c: Customer) =>
    (await getJson<OutboxMessage[]>(`${notifications.url}/outbox?recipient=${encodeURIComponent(c.phone)}`)).body;
  const inboxed = async (schema: string, id: string) =>
    (await db.pool.query(`SELECT 1 FROM ${schema}.inbox WHERE event_id = $1`, [id])).rowCount === 1;
  const dlqDepth = async (app: RunningHttpApp) => (await app.app.get(EventSubscriber).queueDepths()).dlq;

  beforeAll(async () => {
    db = await createTestDatabase(name);
    vhost = await createTestVhost(name);
    await runServiceMigrations({ schema: 'audit', url: db.url, migrations: auditMigrations });
    await runServiceMigrations({ schema: 'analytics', url: db.url, migrations: analyticsMigrations });
    await runServiceMigrations({ schema: 'notifications', url: db.url, migrations: notificationsMigrations });
    const env = {
      NODE_ENV: 'test',
      CERTS_DIR: testCerts(),
      DATABASE_URL: db.url,
      AMQP_URL: vhost.url(),
      ROLE_PREFIX: vhost.prefix,
      DB_POOL_SIZE: '4',
      LOG_LEVEL: 'silent',
      EVENTS_PREFETCH: '20',
      EVENTS_RETRY_DELAYS_MS: '300,1000,1500',
      AMQP_RECONNECT_MAX_MS: '500',
      NOTIFICATIONS_DEV_OUTBOX: 'true',
    };
    audit = await startHttpApp(AuditModule.forRoot(loadConfig(AuditConfig, env)), 'audit');
    analytics = await startHttpApp(AnalyticsModule.forRoot(loadConfig(AnalyticsConfig, env)), 'analytics');
    // NotificationsConfig has no EVENTS_* tuning; NoticesModule takes it from the config it is given.
    const notificationsConfig = {
      ...loadConfig(NotificationsConfig, env),
      EVENTS_RETRY_DELAYS_MS: env.EVENTS_RETRY_DELAYS_MS,
      EVENTS_PREFETCH: 20,
    };
    notifications = await startHttpApp(NotificationsModule.forRoot(notificationsConfig), 'notifications');
    broker = await TestBroker.open(vhost.url());
    for (const app of [audit, analytics, notifications]) {
      await eventually(async () => (await httpsGet(`${app.url}/health`, 'none')).status === 200, {
        what: 'healthy subscriber',
        timeoutMs: 10_000,
      });
    }
  }, 45_000);

  afterAll(async () => {
    await Promise.all([audit, analytics, notifications].map((a) => a?.close()));
    await broker?.close();
    await vhost?.remove();
    await db?.drop();
  }, 30_000);

  it('reports database and broker (with its consumer) in /health', async () => {
    // notifications' /health belongs to its module, which does not add the broker probe (yet).
    for (const app of [audit, analytics]) {
      const { status, body } = await getJson<{ info: Record<string, { status: string }> }>(`${app.url}/health`);
      expect(status).toBe(200);
      expect(body.info.database?.status).toBe('up');
      expect(body.info.broker?.status).toBe('up');
    }
  });

  it('applies each event once in every subscriber, also when it is delivered twice or later again', async () => {
    const alice = newCustomer();
    const bob = newCustomer();
    const events = [
      registered(alice),
      registered(bob),
      opened(alice),
      opened(bob),
      deposited(alice, 10_000),
      transferred(alice, bob, 1250, 'EUR', 'Dinner'),
      failed(bob, alice, 99_999),
    ];
    for (const e of events) await publish(e, 2);
    const expected = {
      transfers: { completed: 1, failed: 1 },
      volume: { EUR: 1250 },
      deposits: { count: 1, volume: { EUR: 10_000 } },
      customers: 2,
      accounts: 2,
    };
    await eventually(
      async () => {
        const s = await summary();
        return s.customers === 2 && s.transfers.failed === 1 && s;
      },
      { what: 'analytics' },
    );
    expect(await summary()).toMatchObject(expected);
    await eventually(async () => (await auditEvents()).length === 7, { what: 'audit trail' });
    await eventually(async () => (await outbox(bob)).length === 2, { what: 'notices to bob' });

    // The same messages once more, after they were committed, then a sentinel behind them in every queue.
    for (const e of events) await publish(e);
    const carol = newCustomer();
    const sentinel = registered(carol);
    await publish(sentinel);
    await eventually(async () => (await summary()).customers === 3, { what: 'sentinel in analytics' });
    await eventually(async () => (await auditEvents()).some((r) => r.eventId === sentinel.id), { what: 'sentinel in audit' });
    await eventually(() => inboxed('notifications', sentinel.id), { what: 'sentinel in notifications' });

    expect(await summary()).toMatchObject({ ...expected, customers: 3 });
    // Only the events themselves: the subscribers publish nothing of their own.
    const trail = await auditEvents();
    expect(trail).toHaveLength(8);
    expect(new Set(trail.map((r) => r.eventId)).size).toBe(8);
    const toBob = await outbox(bob);
    expect(toBob).toHaveLength(2);
    expect(toBob.map((m) => m.channel)).toEqual(['sms', 'sms']);
    expect(toBob.find((m) => m.body.startsWith('You received'))?.body).toContain('You received 12.50 EUR');
    expect(toBob.find((m) => m.body.includes('could not be completed'))?.body).toContain('999.99 EUR');
    expect(await outbox(alice)).toEqual([]);
    expect(await counterValue('events_consumed_total', { subscriber: 'analytics', outcome: 'duplicate' })).toBeGreaterThanOrEqual(7);
  }, 20_000);

  it('updates the aggregates within a second of the event', async () => {
    const dave = newCustomer();
    const before = await summary();
    const started = Date.now();
    await publish(deposited(dave, 4_321, 'USD'));
    await eventually(async () => (await summary()).deposits.count === before.deposits.count + 1, {
      what: 'deposit counted',
      timeoutMs: 1_000,
      intervalMs: 10,
    });
    expect(Date.now() - started).toBeLessThan(1_000);
    const after = await summary();
    expect(after.deposits.volume.USD).toBe(4_321);
    expect(Date.parse(after.updatedAt!)).toBeGreaterThanOrEqual(Date.parse(before.updatedAt!));
  });

  it('keeps volumes exact past 2^53 (a string then) and parks no event for arithmetic', async () => {
    const [payer, payee] = [newCustomer(), newCustomer()];
    // As if ~9,000 transfers of 10^12 had gone by: seeded, not replayed.
    const seeded = BigInt(Number.MAX_SAFE_INTEGER) - BigInt(MAX_AMOUNT);
    await db.pool.query(`INSERT INTO analytics.counters (metric, currency, value) VALUES ('transfer_volume', 'CHF', $1)`, [
      seeded.toString(),
    ]);
    const dlqBefore = await dlqDepth(analytics);
    const amounts = [MAX_AMOUNT, MAX_AMOUNT, MAX_AMOUNT - 7];
    const events = amounts.map((amount) => transferred(payer, payee, amount, 'CHF'));
    for (const e of events) await publish(e);
    await eventually(async () => (await Promise.all(events.map((e) => inboxed('analytics', e.id)))).every(Boolean), {
      what: 'analytics handled the big transfers',
    });
    // What the ledger moved, summed exactly.
    const expected = amounts.reduce((sum, amount) => sum + BigInt(amount), seeded);
    expect((await summary()).volume.CHF).toBe(expected.toString());
    expect(await dlqDepth(analytics)).toBe(dlqBefore);
  });

  it('holds a notice back until the late registration of its receiver has arrived', async () => {
    const payer = newCustomer();
    const erin = newCustomer();
    const retried = await counterValue('events_consumed_total', { subscriber: 'notifications', outcome: 'retried' });
    const transfer = transferred(payer, erin, 500);
    await publish(transfer);
    await eventually(
      async () => (await counterValue('events_consumed_total', { subscriber: 'notifications', outcome: 'retried' })) > retried,
      { what: 'a retry' },
    );
    expect(await outbox(erin)).toEqual([]);
    // While it waits, GET /inbox/:eventId says where: a retry queue, after how many attempts, the code only.
    const waiting = await eventually(
      async () => {
        const { status, body } = await getJson<Record<string, unknown>>(`${notifications.url}/inbox/${transfer.id}`);
        return status === 200 && body.state === 'retrying' && body;
      },
      { what: 'notifications says it is retrying' },
    );
    expect(waiting).toEqual({
      subscriber: 'notifications',
      eventId: transfer.id,
      eventType: 'transfer.completed',
      handled: false,
      state: 'retrying',
      attempts: expect.any(Number),
      errorCode: 'RetryLaterError',
      updatedAt: expect.any(String),
    });
    await publish(registered(erin));
    const [notice] = await eventually(
      async () => {
        const messages = await outbox(erin);
        return messages.length === 1 && messages;
      },
      { what: 'the notice', timeoutMs: 5_000 },
    );
    expect(notice.body).toContain('You received 5.00 EUR');
    // Applied from a retry queue: the inbox says so, and audit, which had nothing to wait for, took it at once.
    const transferInbox = async (app: RunningHttpApp) =>
      (await getJson<{ attempts: number }>(`${app.url}/inbox/${transfer.id}`)).body.attempts;
    expect(await transferInbox(notifications)).toBeGreaterThan(1);
    await eventually(async () => (await auditEvents(`&transferId=${transfer.data.transferId}`)).length === 1, {
      what: 'audit recorded it',
    });
    expect(await transferInbox(audit)).toBe(1);
    expect((await auditEvents(`&transferId=${transfer.data.transferId}`))[0]).toMatchObject({ eventId: transfer.id, attempts: 1 });
  }, 10_000);

  it('parks poison messages in each DLQ while the messages behind them keep flowing', async () => {
    const before = await Promise.all([audit, analytics, notifications].map(dlqDepth));
    await broker.publish(EXCHANGE, 'transfer.completed', Buffer.from('{not json'), { messageId: 'poison-1' });
    const payer = newCustomer();
    const payee = newCustomer();
    const bad = transferred(payer, payee, 100);
    await publish({ ...bad, data: { ...bad.data, amount: -5 } });
    const frank = newCustomer();
    const behind = registered(frank);
    await publish(behind);

    await eventually(async () => (await summary()).customers >= 1 && (await inboxed('analytics', behind.id)), {
      what: 'analytics behind the poison',
    });
    await eventually(() => inboxed('audit', behind.id), { what: 'audit behind the poison' });
    await eventually(() => inboxed('notifications', behind.id), { what: 'notifications behind the poison' });
    await eventually(
      async () => {
        const depths = await Promise.all([audit, analytics, notifications].map(dlqDepth));
        return depths.every((d, i) => d === before[i] + 2);
      },
      { what: 'two parked messages per DLQ' },
    );

    // The reason travels with the parked message, for whoever redrives it.
    const parked = await broker.channel.get('analytics.events.dlq', { noAck: false });
    expect(parked).not.toBe(false);
    const reasons = [parked && String(parked.properties.headers?.['x-parked-reason'])];
    if (parked) broker.channel.nack(parked, false, true);
    expect(reasons[0]).toMatch(/^malformed: /);
    expect(await auditEvents('&type=transfer.completed')).not.toEqual(
      expect.arrayContaining([expect.objectContaining({ eventId: bad.id })]),
    );
  }, 15_000);

  it('parks an event after its last retry, and the redrive script brings it back', async () => {
    const payer = newCustomer();
    const grace = newCustomer();
    const before = await dlqDepth(notifications);
    const owed = transferred(payer, grace, 777);
    await publish(owed);
    await eventually(async () => (await dlqDepth(notifications)) === before + 1, { what: 'parked after retries', timeoutMs: 8_000 });
    expect(await outbox(grace)).toEqual([]);
    const parkedAnswer = await eventually(
      async () => {
        const { body } = await getJson<Record<string, unknown>>(`${notifications.url}/inbox/${owed.id}`);
        return body.state === 'parked' && body;
      },
      { what: 'notifications says it parked it' },
    );
    expect(parkedAnswer).toMatchObject({
      handled: false,
      state: 'parked',
      attempts: 4,
      errorCode: 'RetryLaterError',
      reason: 'gave up after 3 retries',
    });

    const registration = registered(grace);
    await publish(registration);
    await eventually(() => inboxed('notifications', registration.id), { what: 'registration' });
    const { stdout } = await run(process.execPath, [path.join(ROOT, 'scripts/redrive.mjs'), 'notifications'], {
      env: { ...process.env, AMQP_URL: vhost.url() },
    });
    // At least ours: other tests' notices for customers notifications never met may be parked meanwhile.
    const redriven = JSON.parse(stdout) as { subscriber: string; moved: number };
    expect(redriven.subscriber).toBe('notifications');
    expect(redriven.moved).toBeGreaterThanOrEqual(before + 1);
    const messages = await eventually(
      async () => {
        const m = await outbox(grace);
        return m.length === 1 && m;
      },
      { what: 'notice after redrive', timeoutMs: 5_000 },
    );
    expect(messages[0].body).toContain('7.77 EUR');
    // Redriven and applied: the inbox row wins over the parked record.
    expect((await getJson<Record<string, unknown>>(`${notifications.url}/inbox/${owed.id}`)).body).toMatchObject({
      handledAt: expect.any(String),
      attempts: expect.any(Number),
    });
    expect((await getJson<Record<string, unknown>>(`${notifications.url}/inbox/${owed.id}`)).body).not.toHaveProperty('state');
    // The poison ones go straight back: they are still unusable.
    await eventually(async () => (await dlqDepth(notifications)) === before, { what: 'poison re-parked' });
  }, 20_000);

  it('lists the trail by transfer and type, and validates the query', async () => {
    const henry = newCustomer();
    const ida = newCustomer();
    const transfer = transferred(henry, ida, 2_000);
    await publish(transfer);
    const [record] = await eventually(
      async () => {
        const r = await auditEvents(`&transferId=${transfer.data.transferId}`);
        return r.length === 1 && r;
      },
      { what: 'the transfer in the trail' },
    );
    expect(record).toMatchObject({
      eventId: transfer.id,
      type: 'transfer.completed',
      correlationId: transfer.correlationId,
      occurredAt: transfer.occurredAt,
      data: transfer.data,
    });
    expect(record.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(record.prevHash).toMatch(/^[0-9a-f]{64}$/);
    // The contract's fields, and (additive) after how many attempts audit recorded it.
    expect(record.attempts).toBe(1);
    expect(Object.keys(record).sort()).toEqual([
      'attempts',
      'correlationId',
      'data',
      'eventId',
      'hash',
      'occurredAt',
      'prevHash',
      'recordedAt',
      'seq',
      'type',
    ]);

    const registrations = (await getJson<AuditEvent[]>(`${audit.url}/audit/events?type=customer.registered&limit=2`)).body;
    expect(registrations).toHaveLength(2);
    expect(registrations.every((r) => r.type === 'customer.registered')).toBe(true);
    expect(registrations[0].seq).toBeLessThan(registrations[1].seq);

    for (const query of ['transferId=not-a-uuid', 'limit=0', 'limit=abc', 'type=DROP%20TABLE', 'unknown=1']) {
      const { status, body, type } = await getJson<{ code: string; status: number }>(`${audit.url}/audit/events?${query}`);
      expect({ query, status, code: body.code }).toEqual({ query, status: 400, code: 'VALIDATION_FAILED' });
      expect(type).toContain('application/problem+json');
    }
  });

  it('says at GET /inbox/:eventId when each subscriber handled an event: 404 before, 200 after, 400 for a bad id', async () => {
    const payer = newCustomer();
    const jack = newCustomer();
    await publish(registered(jack));
    const transfer = transferred(payer, jack, 1_500);
    const subscribers = { audit, analytics, notifications };
    const inbox = (app: RunningHttpApp, id: string) => getJson<Record<string, unknown>>(`${app.url}/inbox/${id}`);

    for (const [subscriber, app] of Object.entries(subscribers)) {
      const { status, body, type } = await inbox(app, transfer.id);
      expect({ subscriber, status, code: body.code, instance: body.instance }).toEqual({
        subscriber,
        status: 404,
        code: 'EVENT_NOT_HANDLED',
        instance: `/inbox/${transfer.id}`,
      });
      expect(type).toContain('application/problem+json');
    }

    await publish(transfer);
    for (const [subscriber, app] of Object.entries(subscribers)) {
      await eventually(async () => (await inbox(app, transfer.id)).status === 200, { what: `${subscriber} handled the transfer` });
      const { rows } = await db.pool.query<{ received_at: Date }>(`SELECT received_at FROM ${subscriber}.inbox WHERE event_id = $1`, [
        transfer.id,
      ]);
      // Case does not matter in a UUID; the answer names it as stored.
      const { body } = await inbox(app, transfer.id.toUpperCase());
      expect(body).toEqual({
        subscriber,
        eventId: transfer.id,
        eventType: 'transfer.completed',
        handledAt: rows[0].received_at.toISOString(),
        attempts: 1,
      });
    }

    for (const bad of ['not-a-uuid', '12345', `${transfer.id}0`, 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz']) {
      for (const [subscriber, app] of Object.entries(subscribers)) {
        const { status, body, type } = await inbox(app, bad);
        expect({ subscriber, bad, status, code: body.code }).toEqual({ subscriber, bad, status: 400, code: 'VALIDATION_FAILED' });
        expect(type).toContain('application/problem+json');
      }
    }
  });

  it('leaves notifications and analytics without an outbox: they publish nothing', async () => {
    const { rows } = await db.pool.query<{ notifications: string | null; analytics: string | null; audit: string | null }>(
      `SELECT to_regclass('notifications.outbox')::text AS notifications, to_regclass('analytics.outbox')::text AS analytics,
              to_regclass('audit.outbox')::text AS audit`,
    );
    expect(rows[0]).toEqual({ notifications: null, analytics: null, audit: null });
  });

  it('exposes consumer lag, retries and DLQ depth in /metrics', async () => {
    const { text } = await httpsGet(`${audit.url}/metrics`, 'none');
    expect(text).toMatch(/event_queue_messages\{[^}]*subscriber="audit"[^}]*queue="dlq"[^}]*\} \d+/);
    expect(text).toMatch(/event_consumer_lag_seconds_count\{[^}]*subscriber="audit"[^}]*\} [1-9]/);
    expect(text).toMatch(/event_retries_total\{[^}]*subscriber="notifications"[^}]*\} [1-9]/);
  });

  it("checks each record's link without sequential scans, so a plan made on a short trail cannot outlive it", async () => {
    const { rows } = await db.pool.query<{ proconfig: string[] | null }>(
      `SELECT proconfig FROM pg_proc WHERE oid = 'audit.check_link'::regproc`,
    );
    expect(rows).toEqual([{ proconfig: ['enable_seqscan=off'] }]);
  });

  it("notices a record whose stored prev_hash was edited behind its back, though the record's own hash still matches", async () => {
    const verify = async () =>
      (await getJson<{ valid: boolean; records: number; firstInvalidSeq?: number }>(`${audit.url}/audit/verify`)).body;
    const [first, second] = [registered(newCustomer()), registered(newCustomer())];
    await publish(first);
    await publish(second);
    await eventually(async () => (await auditEvents()).some((r) => r.eventId === second.id), { what: 'both records in the trail' });
    const intact = await verify();
    expect(intact.valid).toBe(true);
    const { rows } = await db.pool.query<{ seq: string; prev_hash: string }>(
      `SELECT seq, prev_hash FROM audit.records WHERE event_id = $1`,
      [second.id],
    );
    const [{ seq, prev_hash: original }] = rows;

    // Someone with superuser rights relinks the record; its content, and so its hash, stay as they were.
    const relink = async (prevHash: string) => {
      const client = await db.pool.connect();
      try {
        await client.query(`SET session_replication_role = replica`);
        await client.query(`UPDATE audit.records SET prev_hash = $1 WHERE seq = $2`, [prevHash, seq]);
        await client.query(`RESET session_replication_role`);
      } finally {
        client.release();
      }
    };
    await relink('f'.repeat(64));
    try {
      expect(await verify()).toMatchObject({ valid: false, reason: 'chain_broken', records: intact.records, firstInvalidSeq: Number(seq) });
    } finally {
      await relink(original);
    }
    expect(await verify()).toMatchObject({ valid: true, records: intact.records });
  });

  it('refuses to change the trail, and /audit/verify notices a row edited behind its back', async () => {
    const intact = (await getJson<{ valid: boolean; records: number }>(`${audit.url}/audit/verify`)).body;
    expect(intact.valid).toBe(true);
    expect(intact.records).toBe((await auditEvents()).length);

    await expect(db.pool.query(`UPDATE audit.records SET data = '{}' WHERE seq = 2`)).rejects.toThrow(/append-only/);
    await expect(db.pool.query(`DELETE FROM audit.records WHERE seq = 2`)).rejects.toThrow(/append-only/);
    await expect(db.pool.query(`TRUNCATE audit.records`)).rejects.toThrow(/append-only/);

    // Someone with superuser rights switches the triggers off and edits a record.
    const client = await db.pool.connect();
    try {
      await client.query(`SET session_replication_role = replica`);
      await client.query(`UPDATE audit.records SET data = jsonb_set(data, '{phone}', '"+10000000000"') WHERE seq = 2`);
      await client.query(`RESET session_replication_role`);
    } finally {
      client.release();
    }
    const tampered = (await getJson<{ valid: boolean; records: number; firstInvalidSeq?: number }>(`${audit.url}/audit/verify`)).body;
    // The check that passed above signed a checkpoint; the edit breaks the chain itself first.
    expect(tampered).toEqual({
      valid: false,
      records: intact.records,
      firstInvalidSeq: 2,
      reason: 'chain_broken',
      checkpointSeq: expect.any(Number),
    });
  });
});
