import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { BankClient } from '../support/bank-client.js';
import { E2E_TARGET, eventually, startTestSystem, type TestSystem } from '../support/test-system.js';

/**
 * The compose stack itself, run by `npm run test:compose` (scripts/test-compose.mjs) after the core
 * suite ran against it: the logs stayed quiet, and recreating the RabbitMQ and Postgres containers (a
 * config or image change does that) loses nothing durable. COMPOSE_CLI is the harness's compose
 * command line (CLI, file, project, dev profile) as JSON; the dev profile publishes the management UI.
 */
const run = promisify(execFile);
const composeCli = JSON.parse(process.env.COMPOSE_CLI ?? '[]') as string[];
const compose = async (...args: string[]) =>
  (await run(composeCli[0], [...composeCli.slice(1), ...args], { maxBuffer: 64 * 1024 * 1024 })).stdout;
const containerId = async (service: string) => (await compose('ps', '-q', service)).trim();
const health = async (id: string) => (await run('docker', ['inspect', '--format', '{{.State.Health.Status}}', id])).stdout.trim();

const MANAGEMENT = `http://${E2E_TARGET ?? '127.0.0.1'}:15672/api`;
const management = async (path: string, init: { method?: string; body?: unknown } = {}) => {
  const res = await fetch(`${MANAGEMENT}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}`, 'content-type': 'application/json' },
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
        everyMs: 1_000,
      },
    );
    await eventually(
      async () => (await management('/queues/%2F/audit.events.dlq')).body as Queue,
      (q) => q?.messages === 1,
      { timeoutMs: 60_000, everyMs: 500 },
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
      { timeoutMs: 120_000, everyMs: 1_000 },
    );
    expect(await bank.account(alice.token, aliceEur)).toMatchObject({ balance: 700, availableBalance: 700 });
    expect(await bank.account(bob.token, bobEur)).toMatchObject({ balance: 300 });
    expect((await bank.getTransfer(alice.token, moved.body.id).expect(200)).body.status).toBe('COMPLETED');

    // And it serves on: a new transfer completes, and its events reach every subscriber through the new broker.
    const next = await eventually(
      () => bank.transfer(alice.token, { fromAccountId: aliceEur, toAccountId: bobEur, amount: 200, currency: 'EUR' }),
      (r) => r.status === 201,
      { timeoutMs: 60_000, everyMs: 1_000 },
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
