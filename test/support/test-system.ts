import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import request from 'supertest';
import { ignoreErrorsOnceEnding } from './test-pool.js';
import { ensureCerts, ensureDatabase, freePorts, migrateAll, startSystem, systemEnv, type Env, type RunningSystem } from '../../scripts/lib/system.mjs';

const run = promisify(execFile);
const PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const AMQP_BASE = process.env.TEST_AMQP_BASE ?? 'amqp://guest:guest@127.0.0.1:5672';

export interface TestSystem {
  sys: RunningSystem;
  databaseUrl: string;
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
 * The real system, isolated for one test file: its own Postgres database and RabbitMQ vhost, every
 * app as a real process on free ports, migrated with the same step that start:all and compose use.
 * `stop` ends every process and drops the database and the vhost.
 */
export async function startTestSystem(options: { apps?: string[]; env?: Env } = {}): Promise<TestSystem> {
  const id = `e2e_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const databaseUrl = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${id}`);
  // Independent setup steps run side by side: boot time is most of an e2e file's time.
  await Promise.all([ensureDatabase(databaseUrl), createVhost(id)]);
  const ports = await freePorts();
  const logDir = await mkdtemp(path.join(tmpdir(), `${id}-`));
  const env = systemEnv({
    ports,
    databaseUrl,
    amqpUrl: `${AMQP_BASE}/${id}`,
    // A CA and identities of this run's own (a few ms of key generation).
    extra: { LOG_LEVEL: 'info', DB_POOL_SIZE: '5', CERTS_DIR: path.join(logDir, 'certs'), ...options.env },
  });
  await ensureCerts(env);
  let sys: RunningSystem | undefined;
  const db = new pg.Pool({ connectionString: databaseUrl, max: 3 });
  ignoreErrorsOnceEnding(db);
  const cleanup = async () => {
    await sys?.stopAll();
    // KEEP_TEST_LOGS=1 keeps every app's log of the run for a look afterwards.
    if (process.env.KEEP_TEST_LOGS !== '1') await rm(logDir, { recursive: true, force: true });
    await db.end().catch(() => undefined);
    await dropDatabase(id);
    await deleteVhost(id);
  };
  try {
    await migrateAll({ env, concurrency: 7, ...(options.apps ? { apps: options.apps } : {}) });
    sys = await startSystem({ env, ports, logDir, concurrent: true, handleSignals: false, timeoutMs: 60_000, ...(options.apps ? { apps: options.apps } : {}) });
  } catch (error) {
    await cleanup();
    throw error;
  }
  const running = sys;
  return {
    sys: running,
    databaseUrl,
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

async function createVhost(vhost: string): Promise<void> {
  await run('rabbitmqctl', ['-q', 'add_vhost', vhost]);
  await run('rabbitmqctl', ['-q', 'set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*']);
}

async function deleteVhost(vhost: string): Promise<void> {
  await run('rabbitmqctl', ['-q', 'delete_vhost', vhost]).catch(() => undefined);
}

async function dropDatabase(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** Polls `probe` until it returns a value that `done` accepts; fails with the last value after the deadline. */
export async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, { timeoutMs = 15_000, everyMs = 50 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  for (;;) {
    last = await probe();
    if (done(last)) return last;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
