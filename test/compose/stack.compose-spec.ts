import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { BankClient } from '../support/bank-client.js';
import { eventually } from '@bank/testing';
import { APPS } from '../../scripts/lib/system.mjs';
import { consoleErrorsOf, healthyServices, launchChromium, openSystemPage } from '../support/browser.js';
import { E2E_TARGET, startTestSystem, type TestSystem } from '../support/test-system.js';

/**
 * The compose stack itself, run by `npm run test:compose` (scripts/test-compose.mjs) after the core
 * suite ran against it: the logs stayed quiet, every app holds only its own credentials and connects
 * as its own role and broker user, and recreating the RabbitMQ and Postgres containers (a config or
 * image change does that) loses nothing durable. COMPOSE_CLI is the harness's compose command line
 * (CLI, file, project, dev profile) as JSON; the dev profile publishes the management UI on
 * DEV_RABBITMQ_MANAGEMENT_PORT, where the broker's admin (RABBITMQ_ADMIN_USER/_PASSWORD, default guest) reads it.
 */
const run = promisify(execFile);
const composeCli = JSON.parse(process.env.COMPOSE_CLI ?? '[]') as string[];
const compose = async (...args: string[]) =>
  (await run(composeCli[0], [...composeCli.slice(1), ...args], { maxBuffer: 64 * 1024 * 1024 })).stdout;
const containerId = async (service: string) => (await compose('ps', '-q', service)).trim();
const health = async (id: string) => (await run('docker', ['inspect', '--format', '{{.State.Health.Status}}', id])).stdout.trim();

const MANAGEMENT = `http://${E2E_TARGET ?? '127.0.0.1'}:${process.env.DEV_RABBITMQ_MANAGEMENT_PORT || '15672'}/api`;
const BROKER_ADMIN = `${process.env.RABBITMQ_ADMIN_USER || 'guest'}:${process.env.RABBITMQ_ADMIN_PASSWORD || 'guest'}`;
const ROLE_PREFIX = 'bank_';
const management = async (path: string, init: { method?: string; body?: unknown } = {}) => {
  const res = await fetch(`${MANAGEMENT}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Basic ${Buffer.from(BROKER_ADMIN).toString('base64')}`, 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: res.status, body: res.status === 204 ? undefined : await res.json() };
};
type Queue = { name: string; durable: boolean; messages: number };
const queues = async () =>
  ((await management('/queues/%2F')).body as Queue[])
    .map(({ name, durable }) => ({ name, durable }))
    .sort((a, b) => a.name.localeCompare(b.name));

describe('the compose stack (docker-compose.yml, as `npm run test:compose` started it)', () => {
  let system: TestSystem;
  let bank: BankClient;

  beforeAll(async () => {
    if (composeCli.length === 0 || E2E_TARGET === undefined)
      throw new Error('run through `npm run test:compose` (COMPOSE_CLI and E2E_TARGET unset)');
    system = await startTestSystem();
    bank = new BankClient(system);
  });

  it('serves the page and both documents the way start:all does (built into the image, nothing from a CDN)', async () => {
    const page = await system.api().get('/ui/');
    expect({ status: page.status, type: page.headers['content-type'] }).toEqual({
      status: 200,
      type: expect.stringMatching(/^text\/html/),
    });
    const script = /<script type="module" src="(\/ui\/[^"]+\.js)"/.exec(page.text)?.[1];
    expect(script).toBeDefined();
    const code = await system.api().get(script ?? '');
    expect({ status: code.status, type: code.headers['content-type'] }).toEqual({ status: 200, type: expect.stringMatching(/javascript/) });
    expect(page.text).not.toMatch(/https?:\/\/(?!127\.0\.0\.1|localhost)/);
    expect((await system.api().get('/docs/asyncapi.yaml')).status).toBe(200);
    expect((await system.api().get('/docs-json')).body).toMatchObject({ openapi: expect.stringMatching(/^3\.1/) });
  });

  it('opens the page in a real browser: /ui/ loads with no console error, /ui/system shows the seven services healthy', async () => {
    const base = system.sys.url('orchestrator');
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const errors = consoleErrorsOf(page);
      await page.goto(`${base}/ui/`);
      await page.locator('#phone').waitFor();
      await openSystemPage(page, base, 60_000);
      expect((await healthyServices(page)).sort()).toEqual([...APPS].sort());
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('kept its logs quiet through the core suite: no ERROR from Postgres for business refusals, no deprecation warning from an app', async () => {
    const postgresErrors = (await compose('logs', '--no-color', 'postgres')).split('\n').filter((line) => /\bERROR:/.test(line));
    expect(postgresErrors).toEqual([]);
    for (const app of system.sys.apps) {
      const warnings = (await compose('logs', '--no-color', app))
        .split('\n')
        .filter((line) => /FSTDEP|DeprecationWarning|\bWarning:/.test(line));
      expect({ app, warnings }).toEqual({ app, warnings: [] });
    }
  });

  it('hands no app container an admin credential or guest; each connects as its own role and broker user', async () => {
    const postgresPassword = process.env.POSTGRES_PASSWORD || 'postgres';
    for (const app of system.sys.apps) {
      const id = await containerId(app);
      const env = JSON.parse((await run('docker', ['inspect', '--format', '{{json .Config.Env}}', id])).stdout) as string[];
      const names = env.map((entry) => entry.slice(0, entry.indexOf('=')));
      expect({ app, names: names.filter((name) => /ADMIN|^DATABASE_URL$|^AMQP_URL$|PASSWORD|^RABBITMQ_/.test(name)) }).toEqual({
        app,
        names: [],
      });
      expect({ app, leaks: env.filter((entry) => /guest|:\/\/[^/\s]*@/.test(entry) || entry.includes(`:${postgresPassword}@`)) }).toEqual({
        app,
        leaks: [],
      });
    }

    // Every session on the system's database but this query's: an app's runtime role, none superuser or owner.
    const sessions = (
      await compose(
        'exec',
        '-T',
        'postgres',
        'psql',
        '-U',
        'postgres',
        '-d',
        'bank',
        '-AtF',
        ' ',
        '-c',
        `SELECT a.usename, r.rolsuper FROM pg_stat_activity a JOIN pg_roles r ON r.oid = a.usesysid
          WHERE a.datname = 'bank' AND a.backend_type = 'client backend' AND a.pid <> pg_backend_pid()`,
      )
    )
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(' '));
    const appRoles = system.sys.apps.map((app) => `${ROLE_PREFIX}${app}`);
    expect(sessions.length).toBeGreaterThan(0);
    for (const [user, superuser] of sessions)
      expect({ user, superuser, app: appRoles.includes(user) }).toEqual({ user, superuser: 'f', app: true });

    // Every AMQP connection: the broker user of a producer or subscriber, never guest or the admin.
    const connections = (await management('/connections')).body as { user: string }[];
    const brokerUsers = [...new Set(connections.map((c) => c.user))].sort();
    expect(brokerUsers).toEqual(
      ['accounts', 'analytics', 'audit', 'auth', 'notifications', 'orchestrator'].map((app) => `${ROLE_PREFIX}${app}`).sort(),
    );
  });

  it('loses nothing durable when the RabbitMQ and Postgres containers are recreated, and serves on', async () => {
    const alice = await bank.login();
    const bob = await bank.login();
    const aliceEur = (await bank.openAccount(alice.token, 'EUR')).id;
    const bobEur = (await bank.openAccount(bob.token, 'EUR')).id;
    await bank.deposit(alice.token, aliceEur, 1_000);
    const moved = await bank
      .transfer(alice.token, { fromAccountId: aliceEur, toAccountId: bobEur, amount: 300, currency: 'EUR' })
      .expect(201);
    // A parked event: persistent, in a subscriber's durable dead-letter queue, waiting for a redrive.
    const parked = JSON.stringify({ parked: randomUUID() });
    const published = await management('/exchanges/%2F/amq.default/publish', {
      method: 'POST',
      body: { routing_key: 'audit.events.dlq', payload: parked, payload_encoding: 'string', properties: { delivery_mode: 2 } },
    });
    expect(published).toEqual({ status: 200, body: { routed: true } });
    const queuesBefore = await queues();
    expect(queuesBefore).toContainEqual({ name: 'audit.events.dlq', durable: true });
    const before = { rabbitmq: await containerId('rabbitmq'), postgres: await containerId('postgres') };

    await compose('up', '-d', '--force-recreate', 'rabbitmq', 'postgres');

    const after = { rabbitmq: await containerId('rabbitmq'), postgres: await containerId('postgres') };
    expect(after.rabbitmq).not.toBe(before.rabbitmq);
    expect(after.postgres).not.toBe(before.postgres);
    await eventually(
      async () => [await health(after.rabbitmq), await health(after.postgres)],
      (s) => s.every((h) => h === 'healthy'),
      {
        timeoutMs: 180_000,
        intervalMs: 1_000,
      },
    );
    await eventually(
      async () => (await management('/queues/%2F/audit.events.dlq')).body as Queue,
      (q) => q?.messages === 1,
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(await queues()).toEqual(queuesBefore);
    const got = await management('/queues/%2F/audit.events.dlq/get', {
      method: 'POST',
      body: { count: 1, ackmode: 'ack_requeue_false', encoding: 'auto' },
    });
    expect((got.body as { payload: string }[])[0]?.payload).toBe(parked);

    // The apps reconnect on their own; balances and the transfer are where they were.
    await eventually(
      () => system.api().get('/health'),
      (r) => r.status === 200,
      { timeoutMs: 120_000, intervalMs: 1_000 },
    );
    expect(await bank.account(alice.token, aliceEur)).toMatchObject({ balance: 700, availableBalance: 700 });
    expect(await bank.account(bob.token, bobEur)).toMatchObject({ balance: 300 });
    expect((await bank.getTransfer(alice.token, moved.body.id).expect(200)).body.status).toBe('COMPLETED');

    // And it serves on: a new transfer completes, and its events reach every subscriber through the new broker.
    const next = await eventually(
      () => bank.transfer(alice.token, { fromAccountId: aliceEur, toAccountId: bobEur, amount: 200, currency: 'EUR' }),
      (r) => r.status === 201,
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    const seen = await eventually(
      () => bank.getTransfer(bob.token, next.body.id),
      (r) =>
        r.body.timeline?.complete === true && r.body.timeline.entries.filter((e: { source: string }) => e.source !== 'saga').length === 3,
      { timeoutMs: 60_000 },
    );
    expect(seen.body.status).toBe('COMPLETED');
    expect(await bank.account(alice.token, aliceEur)).toMatchObject({ balance: 500 });
  }, 600_000);
});
