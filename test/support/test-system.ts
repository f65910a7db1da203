import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { brokerUserOf, EVENT_PRODUCERS } from '@bank/contracts';
import { createTestDatabase, DATABASE_ADMIN_URL, uniqueName } from '@bank/testing';
import {
  APPS,
  defaultPorts,
  ensureCerts,
  freePorts,
  httpUrl,
  migrateAll,
  startSystem,
  systemEnv,
  type Env,
  type RunningSystem,
} from '../../scripts/lib/system.mjs';
import {
  DEFAULT_RABBITMQ_ADMIN_URL,
  DEFAULT_ROLE_PREFIX,
  dropBrokerUsers,
  dropDatabaseRoles,
  ensureManagementApi,
  provisionSystem,
  type ProvisionedSystem,
} from '../../scripts/lib/provision.mjs';

export const RABBITMQ_ADMIN_URL = process.env.RABBITMQ_ADMIN_URL ?? DEFAULT_RABBITMQ_ADMIN_URL;
const AMQP_BASE = process.env.TEST_AMQP_BASE ?? 'amqp://127.0.0.1:5672';
const EXCHANGE = 'bank.events';

// The broker users are made through RabbitMQ's management API; a local broker without the plugin
// gets it enabled once per test process (as start:all does), so `npm ci && npm test` stays enough.
let managementApi: Promise<void> | undefined;
export const managementApiReady = (): Promise<void> => (managementApi ??= ensureManagementApi(RABBITMQ_ADMIN_URL, { enable: true }));

export interface TestSystem {
  sys: RunningSystem;
  /** The run's database as the Postgres admin (for checks no API offers; the apps never get it). */
  databaseUrl: string;
  /** Prefix of this run's Postgres roles and broker users (`<prefix><app>`), unique per run. */
  prefix: string;
  /** What provisioning handed out: each app's own URLs, the migration URLs, the operator's AMQP_URL. */
  credentials: ProvisionedSystem;
  /** The run's broker as the operator (impersonator: may publish as any producer, see publishAsProducer). */
  operatorAmqpUrl: string;
  /** The broker user allowed to publish `type` in this run. */
  producerUser: (type: string) => string;
  /** supertest against the orchestrator (the public edge). */
  api: () => ReturnType<typeof request>;
  /** supertest against any app's HTTP port; internal ports over TLS as `operator` (people, tests). */
  http: (app: string) => ReturnType<typeof request.agent>;
  /** This run's CA and identities (CERTS_DIR of every app). */
  certsDir: string;
  /** A client of this run's own database, for checks no API offers. */
  db: pg.Pool;
  stop: () => Promise<void>;
}

/**
 * E2E_TARGET=<host>: the suites run against a system that is already running there (every app at its
 * default port; `npm run test:compose` points them at the compose stack) instead of starting their
 * own. Such a target offers its HTTP ports only: no database of the run's own, no processes to stop,
 * pause or read the logs of, no broker credentials, and its own configuration (a suite's `env` does not reach it).
 */
export const E2E_TARGET = process.env.E2E_TARGET || undefined;

/** `it` for a test that needs what only the harness's own system has (its database, processes, logs): skipped against E2E_TARGET. */
export const itLocal: jest.It = E2E_TARGET === undefined ? it : it.skip;

/**
 * The real system (or, with E2E_TARGET, the running one), isolated for one test file: its own Postgres
 * database and RabbitMQ vhost, and its own roles and broker users (provisioned under a per-run prefix,
 * as start:all and compose do), every app as a real process on free ports with its own credentials,
 * migrated with the same step that start:all and compose use. `stop` ends every process and drops the
 * database, the roles, the users and the vhost.
 */
export async function startTestSystem(options: { apps?: string[]; env?: Env } = {}): Promise<TestSystem> {
  if (E2E_TARGET !== undefined) return runningTarget(E2E_TARGET);
  const id = uniqueName('e2e');
  const prefix = `${id}_`;
  const database = await createTestDatabase(id);
  const databaseUrl = database.url;
  const amqpUrl = `${AMQP_BASE}/${id}`;
  const dropAll = async () => {
    await database.drop();
    await dropDatabaseRoles({ adminUrl: DATABASE_ADMIN_URL, apps: APPS, prefix }).catch(() => undefined);
    await dropBrokerUsers({ adminUrl: RABBITMQ_ADMIN_URL, amqpUrl, apps: APPS, prefix, vhost: true }).catch(() => undefined);
  };
  let credentials: ProvisionedSystem;
  let ports: Awaited<ReturnType<typeof freePorts>>;
  try {
    await managementApiReady();
    // Every app, even when only some start: a test (the fault suite) may start the others later.
    [credentials, ports] = await Promise.all([
      provisionSystem({
        apps: APPS,
        databaseUrl,
        amqpUrl,
        exchange: EXCHANGE,
        databaseAdminUrl: DATABASE_ADMIN_URL,
        rabbitmqAdminUrl: RABBITMQ_ADMIN_URL,
        prefix,
      }),
      freePorts(),
    ]);
  } catch (error) {
    await dropAll();
    throw error;
  }
  const operatorAmqpUrl = credentials.operator.AMQP_URL!;
  const logDir = await mkdtemp(path.join(tmpdir(), `${id}-`));
  const env = systemEnv({
    ports,
    databaseUrl,
    // No app runs with these two: each gets its own (credentials.apps); tools in tests use the operator.
    amqpUrl: operatorAmqpUrl,
    // A CA and identities of this run's own (a few ms of key generation).
    extra: {
      LOG_LEVEL: 'info',
      DB_POOL_SIZE: '5',
      CERTS_DIR: path.join(logDir, 'certs'),
      ROLE_PREFIX: prefix,
      EVENTS_EXCHANGE: EXCHANGE,
      ...options.env,
    },
  });
  await ensureCerts(env);
  let sys: RunningSystem | undefined;
  const db = database.pool;
  const cleanup = async () => {
    await sys?.stopAll();
    // KEEP_TEST_LOGS=1 keeps every app's log of the run for a look afterwards.
    if (process.env.KEEP_TEST_LOGS !== '1') await rm(logDir, { recursive: true, force: true });
    await dropAll();
  };
  try {
    await migrateAll({ env, appEnv: credentials.migrate, concurrency: 7, ...(options.apps ? { apps: options.apps } : {}) });
    sys = await startSystem({
      env,
      appEnv: credentials.apps,
      ports,
      logDir,
      concurrent: true,
      handleSignals: false,
      timeoutMs: 60_000,
      ...(options.apps ? { apps: options.apps } : {}),
    });
  } catch (error) {
    await cleanup();
    throw error;
  }
  const running = sys;
  return {
    sys: running,
    databaseUrl,
    prefix,
    credentials,
    operatorAmqpUrl,
    producerUser: (type) => brokerUserOf((EVENT_PRODUCERS as Record<string, string>)[type] ?? 'unknown', prefix),
    api: () => request(running.url('orchestrator')),
    http: (app) => operatorRequest(running.url(app), env.CERTS_DIR!),
    certsDir: env.CERTS_DIR!,
    db,
    stop: cleanup,
  };
}

/** supertest as the `operator` identity: this run's CA, operator's certificate and key on every request. */
export function operatorRequest(url: string, certsDir: string): ReturnType<typeof request.agent> {
  const read = (file: string) => readFileSync(path.join(certsDir, file));
  return request.agent(url, { ca: read('ca.crt'), cert: read('operator.crt'), key: read('operator.key') });
}

/**
 * The system already running on `host`, reached the way a client reaches it: HTTP only, internal
 * ports over TLS as `operator` with the target's own CA and identities (E2E_TARGET_CERTS_DIR).
 */
function runningTarget(host: string): TestSystem {
  const ports = defaultPorts();
  const certsDir =
    process.env.E2E_TARGET_CERTS_DIR ?? fail("E2E_TARGET needs E2E_TARGET_CERTS_DIR: the target's ca.crt, operator.crt, operator.key");
  const url = (app: string) => httpUrl(app, ports[app]?.http ?? fail(`no such app: ${app}`)).replace('127.0.0.1', host);
  const unavailable = (what: string) => (): never =>
    fail(`E2E_TARGET=${host}: ${what} is not available against a running system (use itLocal)`);
  const sys = {
    ports,
    env: {},
    envOf: () => ({}),
    logDir: undefined,
    apps: Object.keys(ports),
    startupMs: {},
    totalMs: 0,
    url,
    logFile: () => undefined,
    pid: () => undefined,
    start: unavailable('start'),
    stop: unavailable('stop'),
    kill: unavailable('kill'),
    restart: unavailable('restart'),
    waitHealthy: unavailable('waitHealthy'),
    isRunning: () => true,
    stopAll: () => Promise.resolve(),
  } satisfies RunningSystem;
  // Any use of the database fails loudly with the reason; ending it (afterAll) is harmless.
  const db = new Proxy({} as pg.Pool, {
    get: (_, property) => (property === 'end' ? () => Promise.resolve() : unavailable(`its database (db.${String(property)})`)),
  });
  const prefix = process.env.E2E_TARGET_ROLE_PREFIX ?? DEFAULT_ROLE_PREFIX;
  return {
    sys,
    databaseUrl: '',
    prefix,
    // The target's credentials stay with the target (compose's per-app volumes).
    credentials: { apps: {}, migrate: {}, operator: {} },
    get operatorAmqpUrl(): string {
      return unavailable('its broker')();
    },
    producerUser: (type) => brokerUserOf((EVENT_PRODUCERS as Record<string, string>)[type] ?? 'unknown', prefix),
    api: () => request(url('orchestrator')),
    http: (app) => operatorRequest(url(app), certsDir),
    certsDir,
    db,
    stop: () => Promise.resolve(),
  };
}

function fail(message: string): never {
  throw new Error(message);
}
