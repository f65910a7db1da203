// Command-line flags of `npm run bench`. Every flag also reads a BENCH_* variable; the base URLs
// default to the ports the system runs on (the same <APP>_HTTP_PORT variables and .env as start:all).
import { adminDatabaseUrl, DEFAULT_DATABASE_ADMIN_URL } from '../lib/provision.mjs';
import { DEFAULT_DATABASE_URL, httpUrl, portsFromEnv } from '../lib/system.mjs';

export const USAGE = `Usage: npm run bench -- [flags]   (against a system started with npm run start:all)

  --duration <s>         measured load, seconds (BENCH_DURATION, default 30)
  --warmup <s>           load before measuring, seconds (BENCH_WARMUP, default 5)
  --connections <n>      concurrent clients in a closed loop (BENCH_CONNECTIONS, default 32)
  --accounts <n>         customers/accounts taking part, one account each (BENCH_ACCOUNTS, default 100)
  --hot[=<fraction>]     hot-account mode: that fraction of transfers (default 0.9) touch one account
  --amount-max <n>       transfers move 1..n minor units (default 1000)
  --deposit <n>          each account is funded with n minor units (default 1000000000)
  --lag-samples <n>      transfers sampled for the event lag (default 200)
  --settle <s>           how long to wait for sagas and subscribers to catch up (default 120)
  --setup-concurrency <n> parallel logins/deposits during setup (default 8)
  --no-pgbench           skip the pgbench TPC-B-like baseline
  --pgbench-scale <n>    pgbench -i -s (default 10)
  --pgbench-clients <n>  pgbench -c (default 32)
  --pgbench-jobs <n>     pgbench -j (default 2)
  --allow-missing        a subscriber that is not running skips its checks instead of failing them
  --orchestrator-url, --notifications-url, --audit-url, --analytics-url, --ledger-url <url>
                         (BENCH_<APP>_URL; default http://127.0.0.1:<APP>_HTTP_PORT for the orchestrator,
                         https://... for the internal ports, read as operator with CERTS_DIR's certificates)
  --database-url <url>   for the invariants and pgbench, which read every schema: the admin's
                         (default DATABASE_ADMIN_URL on the database of DATABASE_URL, ${DEFAULT_DATABASE_URL})
  --out <file>           also write the JSON result there (default bench-results/<time>.json)
  --help`;

const NUMBER_FLAGS = {
  duration: ['BENCH_DURATION', 30],
  warmup: ['BENCH_WARMUP', 5],
  connections: ['BENCH_CONNECTIONS', 32],
  accounts: ['BENCH_ACCOUNTS', 100],
  'amount-max': ['BENCH_AMOUNT_MAX', 1000],
  deposit: ['BENCH_DEPOSIT', 1_000_000_000],
  'lag-samples': ['BENCH_LAG_SAMPLES', 200],
  settle: ['BENCH_SETTLE', 120],
  'setup-concurrency': ['BENCH_SETUP_CONCURRENCY', 8],
  'pgbench-scale': ['BENCH_PGBENCH_SCALE', 10],
  'pgbench-clients': ['BENCH_PGBENCH_CLIENTS', 32],
  'pgbench-jobs': ['BENCH_PGBENCH_JOBS', 2],
};
const URL_APPS = ['orchestrator', 'notifications', 'audit', 'analytics', 'ledger'];
const STRING_FLAGS = new Set([...URL_APPS.map((a) => `${a}-url`), 'database-url', 'out']);
const BOOLEAN_FLAGS = new Set(['no-pgbench', 'allow-missing', 'help']);

/** Parses argv (without node and script). Throws on an unknown flag or a bad number. */
export function parseOptions(argv = process.argv.slice(2), env = process.env) {
  const given = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    let value = eq === -1 ? undefined : arg.slice(eq + 1);
    if (name === 'hot') {
      given.hot = value ?? 'true';
      continue;
    }
    if (BOOLEAN_FLAGS.has(name)) {
      if (value !== undefined) throw new Error(`--${name} takes no value`);
      given[name] = true;
      continue;
    }
    if (!(name in NUMBER_FLAGS) && !STRING_FLAGS.has(name)) throw new Error(`unknown flag --${name}\n\n${USAGE}`);
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new Error(`--${name} needs a value`);
    }
    given[name] = value;
  }

  const number = (name) => {
    const [envName, fallback] = NUMBER_FLAGS[name];
    const raw = given[name] ?? env[envName];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got ${raw}`);
    return n;
  };

  const hotRaw = given.hot ?? env.BENCH_HOT;
  let hotFraction = 0;
  if (hotRaw !== undefined && hotRaw !== '' && hotRaw !== 'false' && hotRaw !== '0') {
    hotFraction = hotRaw === 'true' ? 0.9 : Number(hotRaw);
    if (!(hotFraction > 0 && hotFraction <= 1)) throw new Error(`--hot takes a fraction in (0, 1], got ${hotRaw}`);
  }

  const ports = portsFromEnv(env);
  const urls = {};
  for (const app of URL_APPS) {
    const envName = `BENCH_${app.toUpperCase()}_URL`;
    urls[app] = (given[`${app}-url`] ?? env[envName] ?? httpUrl(app, ports[app].http)).replace(/\/+$/, '');
    const host = new URL(urls[app]).hostname;
    // The load must never leave this machine.
    if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) throw new Error(`${app} URL ${urls[app]} is not on loopback`);
  }

  const options = {
    help: Boolean(given.help),
    durationS: number('duration'),
    warmupS: number('warmup'),
    connections: Math.max(1, Math.floor(number('connections'))),
    accounts: Math.floor(number('accounts')),
    hotFraction,
    amountMax: Math.max(1, Math.floor(number('amount-max'))),
    deposit: Math.floor(number('deposit')),
    lagSamples: Math.floor(number('lag-samples')),
    settleS: number('settle'),
    setupConcurrency: Math.max(1, Math.floor(number('setup-concurrency'))),
    pgbench: !given['no-pgbench'] && env.BENCH_PGBENCH !== 'false',
    pgbenchScale: Math.max(1, Math.floor(number('pgbench-scale'))),
    pgbenchClients: Math.max(1, Math.floor(number('pgbench-clients'))),
    pgbenchJobs: Math.max(1, Math.floor(number('pgbench-jobs'))),
    allowMissing: Boolean(given['allow-missing']) || env.BENCH_ALLOW_MISSING === 'true',
    urls,
    // An operator tool: it reads every service's schema, which no app role may.
    databaseUrl:
      given['database-url'] ??
      adminDatabaseUrl(env.DATABASE_ADMIN_URL || DEFAULT_DATABASE_ADMIN_URL, env.DATABASE_URL || DEFAULT_DATABASE_URL),
    out: given.out ?? env.BENCH_OUT,
  };
  if (options.accounts < 2) throw new Error('--accounts must be at least 2');
  if (options.durationS <= 0) throw new Error('--duration must be positive');
  if (options.deposit < 1 || options.deposit > 1e12)
    throw new Error('--deposit must be within 1..10^12 (the contract caps an amount there)');
  if (options.amountMax > 1e12) throw new Error('--amount-max must be at most 10^12');
  return options;
}
