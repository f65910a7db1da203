// The hardware's yardstick: pgbench's TPC-B-like workload on the same Postgres server, in a
// temporary database of its own that is dropped afterwards. Run before or after the bank's load,
// never during it.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

function run(command, args, { env, timeoutMs }) {
  return new Promise((resolve) => {
    execFile(command, args, { env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({
        code: error ? (typeof error.code === 'number' ? error.code : -1) : 0,
        error,
        stdout: String(stdout),
        stderr: String(stderr),
      });
    });
  });
}

export async function pgbenchAvailable() {
  const res = await run('pgbench', ['--version'], { env: process.env, timeoutMs: 10_000 });
  return res.code === 0 ? res.stdout.trim() : undefined;
}

/** Connection settings of `databaseUrl` as libpq environment variables (the password never on argv). */
function libpqEnv(databaseUrl, database) {
  const url = new URL(databaseUrl);
  return {
    ...process.env,
    PGHOST: url.hostname || '127.0.0.1',
    PGPORT: url.port || '5432',
    PGUSER: decodeURIComponent(url.username || 'postgres'),
    ...(url.password ? { PGPASSWORD: decodeURIComponent(url.password) } : {}),
    PGDATABASE: database,
  };
}

async function admin(databaseUrl, sql) {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString(), application_name: 'bench-pgbench' });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * `pgbench -i -s <scale>` then `pgbench -c <clients> -j <jobs> -T <durationS>`.
 * Resolves `{ tps, latencyMs, clients, scale, durationS, version }` or `{ error }`.
 */
export async function runPgbench({ databaseUrl, scale, clients, jobs, durationS, log = () => {} }) {
  const version = await pgbenchAvailable();
  if (!version) return { error: 'pgbench not installed' };
  const database = `bench_pgbench_${randomBytes(4).toString('hex')}`;
  const env = libpqEnv(databaseUrl, database);
  try {
    const free = (await admin(databaseUrl, `SELECT current_setting('max_connections')::int - count(*)::int AS free FROM pg_stat_activity`))
      .rows[0].free;
    if (free < clients + 2) log(`only ${free} free connection slots on the server for pgbench -c ${clients}; it may fail`);
    await admin(databaseUrl, `CREATE DATABASE ${database}`);
    log(`pgbench -i -s ${scale} into ${database}`);
    const init = await run('pgbench', ['-i', '-q', '-s', String(scale)], { env, timeoutMs: 600_000 });
    if (init.code !== 0) return { error: `pgbench -i failed: ${init.stderr.trim().split('\n').slice(-3).join(' | ')}`, version };
    log(`pgbench -c ${clients} -j ${jobs} -T ${durationS}`);
    const bench = await run('pgbench', ['-c', String(clients), '-j', String(jobs), '-T', String(Math.max(1, Math.round(durationS)))], {
      env,
      timeoutMs: (durationS + 300) * 1000,
    });
    const tps = Number(
      /tps = ([\d.]+) \(without initial connection time\)/.exec(bench.stdout)?.[1] ?? /tps = ([\d.]+)/.exec(bench.stdout)?.[1],
    );
    const latencyMs = Number(/latency average = ([\d.]+) ms/.exec(bench.stdout)?.[1]);
    const failed = Number(/number of failed transactions: (\d+)/.exec(bench.stdout)?.[1] ?? 0);
    if (bench.code !== 0 || !Number.isFinite(tps)) {
      return { error: `pgbench failed: ${(bench.stderr || bench.stdout).trim().split('\n').slice(-3).join(' | ')}`, version };
    }
    return {
      tps,
      latencyMs: Number.isFinite(latencyMs) ? latencyMs : null,
      failedTransactions: failed,
      clients,
      jobs,
      scale,
      durationS,
      version,
    };
  } catch (error) {
    return { error: `pgbench: ${error.message}`, version };
  } finally {
    await admin(databaseUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
  }
}
