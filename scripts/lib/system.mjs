// The one place that knows how to run the system as local processes: `npm run migrate`,
// `npm run start:all` and the end-to-end test harness all go through here, so they cannot drift.
// Plain ESM JavaScript (no build step) because it must run before and without `npm run build`;
// its types are in system.d.mts.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, open, stat } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEFAULT_ROLE_PREFIX } from './provision.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Start order: the services that only need Postgres and RabbitMQ first, the public edge last, so
 * that when the orchestrator answers /health everything it calls is already up.
 */
const START_ORDER = ['accounts', 'ledger', 'auth', 'notifications', 'audit', 'analytics', 'orchestrator'];

function applicationsInNestCli() {
  const nestCli = JSON.parse(readFileSync(path.join(ROOT, 'nest-cli.json'), 'utf8'));
  return Object.entries(nestCli.projects)
    .filter(([, project]) => project.type === 'application')
    .map(([name]) => name);
}

/**
 * nest-cli.json decides which apps exist; START_ORDER only decides their order. An app added to
 * nest-cli.json but not to START_ORDER starts before the orchestrator rather than being forgotten.
 */
export const APPS = Object.freeze(applicationsInNestCli().sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)));
function rank(app) {
  const i = START_ORDER.indexOf(app);
  if (app === 'orchestrator') return 1_000;
  return i === -1 ? 999 : i;
}

// Mirrors the port table of docs/CONVENTIONS.md (test/static/system.spec.ts holds them together).
const DEFAULT_PORTS = {
  orchestrator: { http: 3000 },
  accounts: { http: 3001, tcp: 4001 },
  ledger: { http: 3002, tcp: 4002 },
  auth: { http: 3003, tcp: 4003 },
  notifications: { http: 3004, tcp: 4004 },
  audit: { http: 3005 },
  analytics: { http: 3006 },
};

/** Apps whose HTTP port is public (plain HTTP, its own authentication); every other one speaks HTTPS. */
const PUBLIC_HTTP = new Set(['orchestrator']);

/** `https://127.0.0.1:<port>` for an internal port, `http://...` for the public one. */
export function httpUrl(app, port) {
  return `${PUBLIC_HTTP.has(app) ? 'http' : 'https'}://127.0.0.1:${port}`;
}

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/bank';
export const DEFAULT_AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

/** Where each app listens by default: `{ accounts: { http: 3001, tcp: 4001 }, ... }`. */
export function defaultPorts() {
  return Object.fromEntries(
    APPS.map((app) => [app, { ...(DEFAULT_PORTS[app] ?? fail(`no default ports for app "${app}": add it to scripts/lib/system.mjs`)) }]),
  );
}

/** Same shape as defaultPorts(), every port a distinct free one (for tests running beside other systems). */
export async function freePorts() {
  const shape = defaultPorts();
  const count = Object.values(shape).reduce((n, p) => n + Object.keys(p).length, 0);
  // All servers stay open until every port is taken, so no port is handed out twice.
  const servers = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
      servers.push(server);
    }
    const ports = servers.map((s) => s.address().port);
    return Object.fromEntries(
      Object.entries(shape).map(([app, kinds]) => [app, Object.fromEntries(Object.keys(kinds).map((kind) => [kind, ports.shift()]))]),
    );
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(() => resolve()))));
  }
}

const envName = (app, suffix) => `${app.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_${suffix}`;

/** Reads <APP>_HTTP_PORT / <APP>_TCP_PORT from env, falling back to the defaults. */
export function portsFromEnv(env = process.env) {
  const ports = defaultPorts();
  for (const [app, kinds] of Object.entries(ports)) {
    for (const kind of Object.keys(kinds)) {
      const raw = env[envName(app, `${kind.toUpperCase()}_PORT`)];
      if (raw === undefined || raw === '') continue;
      const port = Number(raw);
      if (!Number.isInteger(port) || port < 1 || port > 65_535) fail(`${envName(app, `${kind.toUpperCase()}_PORT`)}=${raw} is not a port`);
      kinds[kind] = port;
    }
  }
  return ports;
}

/**
 * Every variable the apps read, for all apps at once (each app ignores the others' variables),
 * merged over `base` (process.env by default; pass `{}` to see only the system's own variables).
 * docker-compose.yml sets the same names for every service; test/static/compose.spec.ts checks it.
 */
export function systemEnv({ ports = defaultPorts(), databaseUrl, amqpUrl, extra = {}, base = process.env } = {}) {
  const env = {
    DATABASE_URL: databaseUrl ?? base.DATABASE_URL ?? DEFAULT_DATABASE_URL,
    DB_POOL_SIZE: base.DB_POOL_SIZE ?? '10',
    LOG_LEVEL: base.LOG_LEVEL ?? 'info',
    NODE_ENV: base.NODE_ENV ?? 'development',
    AMQP_URL: amqpUrl ?? base.AMQP_URL ?? DEFAULT_AMQP_URL,
    EVENTS_EXCHANGE: base.EVENTS_EXCHANGE ?? 'bank.events',
    // Names the roles and broker users provisioning makes; subscribers expect each event from <prefix><producer>.
    ROLE_PREFIX: base.ROLE_PREFIX || DEFAULT_ROLE_PREFIX,
    // Local runs and tests read OTPs from the dev outbox; never set in production.
    NOTIFICATIONS_DEV_OUTBOX: base.NOTIFICATIONS_DEV_OUTBOX ?? 'true',
    BIND_HOST: base.BIND_HOST ?? '127.0.0.1',
    // Absolute, so every process agrees whatever its working directory.
    CERTS_DIR: path.resolve(ROOT, base.CERTS_DIR || 'certs'),
    // Local runs log many customers in from one address (the bench's setup: 100 from 127.0.0.1, the
    // e2e files hundreds): the per-source limit and the SMS budget are raised here, in the local
    // runs' settings, never in auth's defaults. The per-phone limits keep their defaults.
    OTP_SOURCE_LIMIT: base.OTP_SOURCE_LIMIT ?? '10000',
    OTP_SMS_PER_MINUTE: base.OTP_SMS_PER_MINUTE ?? '10000',
  };
  for (const app of APPS) {
    const appPorts = ports[app] ?? fail(`ports has no entry for app "${app}"`);
    // Every app is reachable on loopback here; compose sets <APP>_HOST to the service name instead.
    env[envName(app, 'HOST')] = '127.0.0.1';
    env[envName(app, 'HTTP_PORT')] = String(appPorts.http);
    if (appPorts.tcp !== undefined) env[envName(app, 'TCP_PORT')] = String(appPorts.tcp);
  }
  return { ...base, ...env, ...extra };
}

/**
 * V8 heap limits for every app (the Dockerfile's CMD uses the same; test/static/compose.spec.ts
 * checks). Left alone, V8 lets a busy app's young generation grow to 32 MB and its old generation
 * far past the ~45 MB it keeps alive, so each app idled at ~130 MB and the orchestrator passed
 * 190 MB under load. 8 MB semi-spaces cost no measurable throughput (4 MB did: more scavenges).
 * No --enable-source-maps by default: it keeps every dependency's map (TypeORM's alone is MBs of
 * TypeScript) in the heap; add it through APP_NODE_FLAGS when a stack must point at .ts lines.
 */
export const APP_HEAP_FLAGS = Object.freeze(['--max-semi-space-size=8', '--max-old-space-size=96']);

/**
 * Node flags for every app: the heap limits, plus APP_NODE_FLAGS (space-separated, later wins),
 * for what NODE_OPTIONS refuses, e.g. `APP_NODE_FLAGS="--cpu-prof --cpu-prof-dir=prof" npm run start:all`.
 */
function appNodeFlags(env) {
  return [...APP_HEAP_FLAGS, ...(env.APP_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean)];
}

function entryFile(app) {
  return path.join(ROOT, 'dist', 'apps', app, 'src', 'main.js');
}

function assertBuilt(apps) {
  const missing = apps.filter((app) => !existsSync(entryFile(app)));
  if (missing.length > 0) fail(`not built: ${missing.map((a) => path.relative(ROOT, entryFile(a))).join(', ')}; run npm run build first`);
}

function checkApps(apps) {
  const unknown = apps.filter((app) => !APPS.includes(app));
  if (unknown.length > 0) fail(`unknown app(s) ${unknown.join(', ')}; known: ${APPS.join(', ')}`);
  // Keep the start order whatever order the caller listed them in.
  return APPS.filter((app) => apps.includes(app));
}

/**
 * Writes the CA and every identity into env.CERTS_DIR where missing (see certs.mjs); returns the
 * files written, none when all were there.
 */
export async function ensureCerts(env) {
  const { writeCerts } = await import('./certs.mjs');
  return writeCerts(env.CERTS_DIR ?? fail('env has no CERTS_DIR; build env with systemEnv()'));
}

/**
 * Creates the database named in `databaseUrl` when it does not exist (connecting to the server's
 * `postgres` database to do it). Returns true when it created it.
 */
export async function ensureDatabase(databaseUrl) {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!name || name === 'postgres') return false;
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount > 0) return false;
    try {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    } catch (error) {
      // Another process created it between our check and our CREATE.
      if (error?.code === '42P04') return false;
      throw error;
    }
    return true;
  } finally {
    await client.end();
  }
}

/**
 * Runs each app's own migrations (`node dist/apps/<app>/src/main.js --migrate`), one app after
 * the other in start order, each with `env` and its own `appEnv[app]` over it (provisionSystem's
 * `migrate`: the app's owner role). Throws, with the app's output, at the first one that fails.
 * `concurrency` > 1 runs that many at once (each app has its own schema and advisory lock, so order
 * is only for readable output); tests use it to save boot time.
 */
export async function migrateAll({ env = systemEnv(), appEnv = {}, apps = APPS, timeoutMs = 60_000, concurrency = 1 } = {}) {
  const ordered = checkApps(apps);
  assertBuilt(ordered);
  const results = new Map();
  const queue = [...ordered];
  let failure;
  const worker = async () => {
    while (queue.length > 0 && failure === undefined) {
      const app = queue.shift();
      const started = Date.now();
      const { code, signal, stdout, stderr } = await runToEnd(process.execPath, ['--enable-source-maps', entryFile(app), '--migrate'], {
        env: { ...env, ...appEnv[app] },
        timeoutMs,
      });
      if (code !== 0) {
        failure ??= new Error(
          `migrations of ${app} failed (${signal ? `signal ${signal}` : `exit code ${code}`}):\n${tail(`${stdout}\n${stderr}`, 40)}`,
        );
        return;
      }
      results.set(app, { app, migrations: parseMigrated(stdout), ms: Date.now() - started });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, ordered.length)) }, worker));
  if (failure) throw failure;
  return ordered.map((app) => results.get(app));
}

function parseMigrated(stdout) {
  for (const line of stdout.split('\n').reverse()) {
    try {
      const parsed = JSON.parse(line);
      if (Array.isArray(parsed?.migrations)) return parsed.migrations;
    } catch {
      // Not the summary line: app logs share stdout.
    }
  }
  return [];
}

function runToEnd(command, args, { env, timeoutMs }) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    track(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      stderr += `\n[system] killed after ${timeoutMs} ms`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Children never outlive this process: a synchronous SIGKILL on exit, graceful stops on SIGINT and
// SIGTERM, and (for a parent that dies by SIGKILL) a watchdog inside each child, see
// parent-watchdog.mjs.

const children = new Set();
const liveSystems = new Set();
const WATCHDOG = pathToFileURL(path.join(ROOT, 'scripts', 'lib', 'parent-watchdog.mjs')).href;

function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
}

process.on('exit', () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

let signalsInstalled = false;
function onSignal(signal) {
  process.stderr.write(`\n[system] ${signal}: stopping ${[...liveSystems].length} system(s)\n`);
  const exitCode = 128 + (os.constants.signals[signal] ?? 1);
  Promise.all([...liveSystems].map((system) => system.stopAll())).then(
    () => process.exit(exitCode),
    () => process.exit(exitCode),
  );
}
function installSignalHandlers() {
  if (signalsInstalled) return;
  signalsInstalled = true;
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
function removeSignalHandlersWhenIdle() {
  if (!signalsInstalled || liveSystems.size > 0) return;
  signalsInstalled = false;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * GET /health answers 200. Internal ports are probed over TLS with the system's CA and no client
 * certificate (/health is open to any TLS client), so a probe also proves the app's certificate.
 */
function httpHealthy(url, ca) {
  return new Promise((resolve) => {
    const req = (url.startsWith('https:') ? https : http).get(`${url}/health`, { ca, signal: AbortSignal.timeout(1_000) }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
      res.on('error', () => resolve(false));
    });
    req.on('error', () => resolve(false));
  });
}

function tcpAccepts(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function tail(text, lines) {
  return text
    .split('\n')
    .filter((l, i, all) => l !== '' || i < all.length - 1)
    .slice(-lines)
    .join('\n');
}

async function readTail(file, lines = 40) {
  try {
    const { size } = await stat(file);
    const handle = await open(file, 'r');
    try {
      const length = Math.min(size, 64 * 1024);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      return tail(buffer.toString('utf8'), lines);
    } finally {
      await handle.close();
    }
  } catch {
    return '(no log)';
  }
}

/**
 * Spawns `node <APP_HEAP_FLAGS> dist/apps/<app>/src/main.js` for each app (in start order, each
 * waited for before the next unless `concurrent`), and resolves once every /health answers 200 and
 * every TCP port accepts. On failure it prints the tail of the failing app's log, stops everything
 * it started and throws. Each app gets `env` with its own `appEnv[app]` over it (provisionSystem's
 * `apps`: its own DATABASE_URL and AMQP_URL, so no app holds another's credentials).
 */
export async function startSystem({
  env,
  appEnv = {},
  apps = APPS,
  ports,
  logDir,
  stdio = 'file',
  timeoutMs = 20_000,
  stopTimeoutMs = 10_000,
  concurrent = false,
  handleSignals = true,
} = {}) {
  const ordered = checkApps(apps);
  assertBuilt(ordered);
  ports ??= env ? portsFromEnv(env) : defaultPorts();
  env ??= systemEnv({ ports });
  const declared = portsFromEnv(env);
  for (const app of ordered) {
    for (const kind of Object.keys(declared[app])) {
      if (declared[app][kind] !== ports[app]?.[kind]) {
        fail(
          `env says ${app} ${kind} port ${declared[app][kind]} but ports says ${ports[app]?.[kind]}; build env with systemEnv({ ports })`,
        );
      }
    }
  }
  if (stdio === 'file') {
    logDir = logDir ? path.resolve(logDir) : await mkdtemp(path.join(os.tmpdir(), 'bank-system-'));
    await mkdir(logDir, { recursive: true });
  } else if (stdio !== 'inherit' && stdio !== 'ignore') {
    fail(`stdio must be 'file', 'inherit' or 'ignore', got ${stdio}`);
  }

  const envOf = (app) => ({ ...env, ...appEnv[app] });
  const procs = new Map(); // app -> ChildProcess
  const logFile = (app) => (stdio === 'file' ? path.join(logDir, `${app}.log`) : undefined);
  const url = (app) => httpUrl(app, ports[app].http);
  const caFile = path.join(env.CERTS_DIR ?? fail('env has no CERTS_DIR; build env with systemEnv()'), 'ca.crt');
  if (!existsSync(caFile)) fail(`${caFile} is missing: run npm run certs (or ensureCerts(env)) first`);
  const ca = readFileSync(caFile);
  const isRunning = (app) => {
    const child = procs.get(app);
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  };

  function spawnApp(app, { truncateLog }) {
    if (isRunning(app)) fail(`${app} is already running (pid ${procs.get(app).pid})`);
    let out = stdio;
    let fd;
    if (stdio === 'file') {
      // A fresh log per system, appended to across restarts; the child writes to the file directly,
      // so the log survives this process and costs no piping here.
      fd = openSync(logFile(app), truncateLog ? 'w' : 'a');
      out = fd;
    }
    try {
      const child = spawn(process.execPath, [...appNodeFlags(env), '--import', WATCHDOG, entryFile(app)], {
        cwd: ROOT,
        env: envOf(app),
        stdio: ['ignore', out, out],
      });
      track(child);
      const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
      child.exited = exited;
      procs.set(app, child);
      return child;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  async function waitHealthy(app, { timeoutMs: limit = timeoutMs } = {}) {
    const deadline = Date.now() + limit;
    const { tcp } = ports[app];
    for (;;) {
      const child = procs.get(app);
      if (!isRunning(app)) {
        const how = child ? (child.signalCode ? `signal ${child.signalCode}` : `exit code ${child.exitCode}`) : 'never started';
        throw new Error(`${app} exited before it was healthy (${how})`);
      }
      const [httpOk, tcpOk] = await Promise.all([httpHealthy(url(app), ca), tcp === undefined ? true : tcpAccepts(tcp)]);
      if (httpOk && tcpOk) return;
      if (Date.now() > deadline) {
        throw new Error(
          `${app} not healthy after ${limit} ms (GET ${url(app)}/health ${httpOk ? 'ok' : 'not 200'}${tcp === undefined ? '' : `, TCP ${tcp} ${tcpOk ? 'accepts' : 'refused'}`})`,
        );
      }
      await sleep(100);
    }
  }

  async function explain(app, error) {
    const logTail = stdio === 'file' ? await readTail(logFile(app)) : '(log not captured: stdio is not "file")';
    const message = `${error.message}\n--- last lines of ${logFile(app) ?? app} ---\n${logTail}`;
    process.stderr.write(`[system] ${message}\n`);
    return new Error(message, { cause: error });
  }

  async function start(app) {
    spawnApp(app, { truncateLog: false });
    try {
      await waitHealthy(app);
    } catch (error) {
      throw await explain(app, error);
    }
  }

  async function stop(app, { signal = 'SIGTERM', timeoutMs: grace = stopTimeoutMs } = {}) {
    const child = procs.get(app);
    if (!child) return undefined;
    if (isRunning(app)) {
      child.kill(signal);
      const timer = setTimeout(() => {
        if (isRunning(app) && signal !== 'SIGKILL') {
          process.stderr.write(`[system] ${app} did not stop within ${grace} ms of ${signal}; killing it\n`);
          child.kill('SIGKILL');
        }
      }, grace);
      try {
        await child.exited;
      } finally {
        clearTimeout(timer);
      }
    }
    return child.exited;
  }

  const kill = (app) => stop(app, { signal: 'SIGKILL', timeoutMs: 0 });

  async function restart(app) {
    await stop(app);
    await start(app);
  }

  let stopping;
  function stopAll() {
    // Reverse start order: the edge goes first, so nothing calls a service that is already gone.
    stopping ??= (async () => {
      for (const app of [...ordered].reverse()) await stop(app);
      liveSystems.delete(system);
      removeSignalHandlersWhenIdle();
    })();
    return stopping;
  }

  const system = {
    ports,
    env,
    envOf,
    logDir,
    apps: ordered,
    startupMs: {},
    url,
    logFile,
    pid: (app) => procs.get(app)?.pid,
    start,
    stop,
    kill,
    restart,
    waitHealthy,
    isRunning,
    stopAll,
  };
  liveSystems.add(system);
  if (handleSignals) installSignalHandlers();

  const begin = Date.now();
  const launched = [];
  try {
    for (const app of ordered) {
      const t0 = Date.now();
      spawnApp(app, { truncateLog: true });
      const healthy = waitHealthy(app).then(
        () => (system.startupMs[app] = Date.now() - t0),
        async (error) => {
          // Once stopping, the other apps' waits fail too; only the first failure is worth a log tail.
          if (stopping) throw error;
          throw await explain(app, error);
        },
      );
      // Avoid an unhandled rejection while a concurrent start is still spawning the next apps.
      healthy.catch(() => undefined);
      launched.push(healthy);
      if (!concurrent) await healthy;
    }
    await Promise.all(launched);
  } catch (error) {
    await stopAll();
    throw error;
  }
  system.totalMs = Date.now() - begin;
  return system;
}

function fail(message) {
  throw new Error(message);
}
