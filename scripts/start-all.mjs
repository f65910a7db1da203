// `npm run start:all`: the whole system as local processes against local Postgres and RabbitMQ.
// Builds nothing (run `npm run build` first), migrates, starts every app in order, waits until each
// answers, prints where they listen, and stops them all on Ctrl-C.
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  adminDatabaseUrl,
  DEFAULT_DATABASE_ADMIN_URL,
  DEFAULT_RABBITMQ_ADMIN_URL,
  DEFAULT_ROLE_PREFIX,
  ensureManagementApi,
  provisionSystem,
} from './lib/provision.mjs';
import { ensureCerts, ensureDatabase, migrateAll, portsFromEnv, ROOT, startSystem, systemEnv } from './lib/system.mjs';
import { appsFromArgs, complain, loadDotEnv, redactUrl, say } from './lib/cli.mjs';

if (!existsSync(path.join(ROOT, 'dist', 'apps'))) {
  complain('dist/ is missing: run npm run build first');
  process.exit(1);
}

let system;
try {
  const dotEnv = loadDotEnv();
  if (dotEnv) say(`read ${path.relative(process.cwd(), dotEnv) || dotEnv}`);
  const apps = appsFromArgs();
  const ports = portsFromEnv();
  const env = systemEnv({ ports });
  say(`database ${redactUrl(env.DATABASE_URL)}, broker ${redactUrl(env.AMQP_URL)}`);
  const certs = await ensureCerts(env);
  if (certs.length > 0)
    say(`certs: wrote ${certs.length} file(s) in ${path.relative(process.cwd(), env.CERTS_DIR) || '.'} (npm run certs)`);
  const databaseAdminUrl = env.DATABASE_ADMIN_URL || DEFAULT_DATABASE_ADMIN_URL;
  if (await ensureDatabase(adminDatabaseUrl(databaseAdminUrl, env.DATABASE_URL))) say('created the database');
  // The broker users are made through RabbitMQ's management API: a local broker without the plugin
  // gets it enabled here, so a fresh clone still starts with two commands.
  const rabbitmqAdminUrl = env.RABBITMQ_ADMIN_URL || DEFAULT_RABBITMQ_ADMIN_URL;
  await ensureManagementApi(rabbitmqAdminUrl, { enable: true, log: say });
  // Fresh random passwords on every start, handed to each app only through its own URLs.
  const prefix = env.ROLE_PREFIX || DEFAULT_ROLE_PREFIX;
  const credentials = await provisionSystem({
    apps,
    databaseUrl: env.DATABASE_URL,
    amqpUrl: env.AMQP_URL,
    exchange: env.EVENTS_EXCHANGE,
    databaseAdminUrl,
    rabbitmqAdminUrl,
    prefix,
  });
  say(`provisioned Postgres roles and broker users ${prefix}<app> (see "Least privilege" in the README)`);
  // Each app migrates its own schema under its own advisory lock, so all can run at once.
  const migrated = await migrateAll({ env, appEnv: credentials.migrate, apps, concurrency: apps.length });
  say(`migrations: ${migrated.map((m) => `${m.app} ${m.migrations.length === 0 ? 'up to date' : `+${m.migrations.length}`}`).join(', ')}`);

  const logDir = path.join(ROOT, 'logs');
  // For operator tools (redrive): the operator's broker user, readable by this user only.
  mkdirSync(logDir, { recursive: true });
  const operatorEnv = path.join(logDir, 'operator.env');
  writeFileSync(operatorEnv, `AMQP_URL=${credentials.operator.AMQP_URL}\nROLE_PREFIX=${prefix}\n`, { mode: 0o600 });
  chmodSync(operatorEnv, 0o600);
  say(
    `operator's broker URL in ${path.relative(process.cwd(), operatorEnv)} (node --env-file=${path.relative(process.cwd(), operatorEnv)} scripts/redrive.mjs <subscriber>)`,
  );
  say(`starting ${apps.length} app(s); logs in ${path.relative(process.cwd(), logDir) || '.'}/<app>.log`);
  // All at once: no app needs another to boot (RPC clients connect on first use), so this is the fastest start.
  system = await startSystem({ env, appEnv: credentials.apps, ports, apps, logDir, handleSignals: false, concurrent: true });
} catch (error) {
  complain(`start:all failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

const rows = system.apps.map((app) => [
  app,
  system.url(app),
  system.ports[app].tcp ? `tls://127.0.0.1:${system.ports[app].tcp}` : '-',
  String(system.pid(app)),
  `${system.startupMs[app]} ms`,
]);
const header = ['app', 'http', 'tcp', 'pid', 'ready in'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) =>
  cells
    .map((c, i) => c.padEnd(widths[i]))
    .join('  ')
    .trimEnd();
say();
say(line(header));
say(line(widths.map((w) => '-'.repeat(w))));
for (const row of rows) say(line(row));
say();
say(`all ${system.apps.length} app(s) healthy in ${system.totalMs} ms. Ctrl-C stops them.`);
if (system.apps.includes('orchestrator')) say(`watch both patterns work: ${system.url('orchestrator')}/ui/`);
const certsDir = path.relative(process.cwd(), system.env.CERTS_DIR) || '.';
say(`internal ports speak TLS; read them as operator, e.g.`);
say(
  `  curl --cacert ${certsDir}/ca.crt --cert ${certsDir}/operator.crt --key ${certsDir}/operator.key ${system.url('audit')}/audit/verify`,
);

// Report an app that dies on its own instead of leaving a silently half-running system.
const reported = new Set();
const watcher = setInterval(() => {
  for (const app of system.apps) {
    if (!system.isRunning(app) && !reported.has(app)) {
      reported.add(app);
      complain(`${app} exited unexpectedly; see ${path.relative(process.cwd(), system.logFile(app))}`);
    }
  }
}, 1_000);

let stopping = false;
async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  clearInterval(watcher);
  say(`\n${signal}: stopping all apps...`);
  await system.stopAll();
  say('stopped.');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
