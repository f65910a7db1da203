// `npm run bench`: load against a RUNNING system (npm run start:all), measured against the
// hardware's limit. Creates customers through the public OTP login, opens and funds their
// accounts, drives POST /transfers from N clients in a closed loop, samples the event lag to
// audit, analytics and notifications, watches CPU and memory of every app, checks the bank's
// invariants, then runs pgbench's TPC-B-like workload on the same Postgres as a yardstick.
// Prints tables, then, as the last line, one JSON object. Exit code: 0 all invariants hold,
// 1 an invariant is broken, 2 the bench could not run.
// Run `npm run bench -- --help` for the flags.
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadDotEnv } from './lib/cli.mjs';
import { portsFromEnv, ROOT } from './lib/system.mjs';
import { EventLagSampler } from './bench/event-lag.mjs';
import { keepAliveAgent, send } from './bench/http-client.mjs';
import { runLoad } from './bench/load.mjs';
import { checkInvariants } from './bench/invariants.mjs';
import { pgbenchAvailable, runPgbench } from './bench/pgbench.mjs';
import { findProcesses, watchProcesses } from './bench/processes.mjs';
import { renderReport } from './bench/report.mjs';
import { createParticipants } from './bench/setup.mjs';
import { checkBenchContract } from './bench/contract.mjs';
import { parseOptions, USAGE } from './bench/options.mjs';

const log = (line) => process.stderr.write(`[bench] ${line}\n`);
const round = (v, digits = 2) =>
  v === null || v === undefined || !Number.isFinite(v) ? null : Math.round(v * 10 ** digits) / 10 ** digits;

async function healthy(url) {
  // An agent, for the TLS of internal ports (the system's CA).
  const agent = keepAliveAgent(1);
  try {
    const res = await send(url, { path: '/health', timeoutMs: 3_000, agent });
    return res.status === 200;
  } finally {
    agent.destroy();
  }
}

async function postgresVersion(databaseUrl) {
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
    const { rows } = await client.query(`SELECT current_setting('server_version') AS v`);
    return `PostgreSQL ${rows[0].v}`;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function main() {
  loadDotEnv();
  const options = parseOptions();
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const { urls } = options;

  // --- preflight: which apps answer
  const up = Object.fromEntries(await Promise.all(Object.entries(urls).map(async ([app, url]) => [app, await healthy(url)])));
  log(
    `health: ${Object.entries(up)
      .map(([a, ok]) => `${a} ${ok ? 'ok' : 'DOWN'}`)
      .join(', ')}`,
  );
  if (!up.orchestrator || !up.notifications) {
    log(
      `the orchestrator (${urls.orchestrator}) and notifications (${urls.notifications}) must be running: start the system with npm run start:all`,
    );
    return 2;
  }
  const undocumented = await checkBenchContract(urls.orchestrator);
  if (undocumented.length > 0) {
    log(`the served OpenAPI document does not describe what the bench sends: ${undocumented.join('; ')}`);
    return 2;
  }
  const missing = ['audit', 'analytics', 'ledger'].filter((a) => !up[a]);
  if (missing.length > 0 && !options.allowMissing)
    log(`not healthy: ${missing.join(', ')}; their checks will fail (--allow-missing skips them)`);

  const machine = {
    cores: os.cpus().length,
    cpuModel: os.cpus()[0]?.model?.trim() ?? 'unknown',
    memGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
    // Other work on the machine skews every figure: the 1-minute load average when the bench began.
    loadAvg1mAtStart: Math.round(os.loadavg()[0] * 100) / 100,
    postgres: await postgresVersion(options.databaseUrl),
    pgbench: (await pgbenchAvailable()) ?? null,
  };

  // --- setup through the public API
  const setupStart = Date.now();
  log(`creating ${options.accounts} customers with one funded account each (OTP login, POST /accounts, deposit)`);
  let lastProgress = 0;
  const participants = await createParticipants({
    urls,
    count: options.accounts,
    deposit: options.deposit,
    concurrency: options.setupConcurrency,
    onProgress: (done, total) => {
      if (done === total || Date.now() - lastProgress > 2000) {
        lastProgress = Date.now();
        log(`  ${done}/${total}`);
      }
    },
  });
  const setupMs = Date.now() - setupStart;
  log(`setup done in ${(setupMs / 1000).toFixed(1)}s`);

  // --- load, with the lag sampler and the process watcher
  const sampler = new EventLagSampler({
    urls,
    participants,
    samples: options.lagSamples,
    durationS: options.durationS,
    hotFraction: options.hotFraction,
    enabled: { audit: up.audit, notifications: up.notifications, analytics: up.analytics },
  });
  await sampler.start();
  const appPorts = Object.fromEntries(Object.entries(urls).map(([app, url]) => [app, Number(new URL(url).port || 80)]));
  // accounts and auth have no URL flag: watch them by their default/env HTTP port.
  const envPorts = portsFromEnv();
  for (const app of ['accounts', 'auth']) appPorts[app] = envPorts[app].http;
  const groups = findProcesses(appPorts);
  let watcher;
  let processes;
  log(`load: ${options.warmupS}s warm-up + ${options.durationS}s measured, ${options.connections} connections`);
  const load = await runLoad({
    urls,
    participants,
    connections: options.connections,
    warmupS: options.warmupS,
    durationS: options.durationS,
    hotFraction: options.hotFraction,
    amountMax: options.amountMax,
    onCompleted: (sample) => sampler.offer(sample),
    onMeasureStart: () => {
      watcher = watchProcesses(groups);
      log('measuring');
    },
    onMeasureEnd: () => {
      processes = watcher?.stop();
    },
    onTick: ({ now, measureStart, windowTransfers, totals }) => {
      const inWindow = now > measureStart ? `${(windowTransfers / ((now - measureStart) / 1000)).toFixed(0)} transfers/s` : 'warming up';
      log(
        `  ${inWindow}; sent ${totals.sent}, 201 ${totals.completed}, 202 ${totals.pending}, 422 ${totals.refused}, other ${totals.other}`,
      );
    },
  });

  // --- after the load: lag stragglers, then the invariants
  log('waiting for the sampled transfers to reach the subscribers');
  const eventLag = await sampler.finish(options.settleS * 1000);
  log('checking invariants');
  const invariants = await checkInvariants({
    urls,
    databaseUrl: options.databaseUrl,
    settleS: options.settleS,
    allowMissing: options.allowMissing,
    participants,
    pendingIds: load.pendingIds,
  });

  if (invariants.checks.some((c) => !c.ok && !c.skipped && /^(audit|analytics)/.test(c.name))) {
    log(
      'hint: subscribers behind or short? Another system on the same RabbitMQ vhost (a second start:all, another checkout) competes for the same queues and takes a share of the events',
    );
  }

  // --- the yardstick, on the now quiet server
  let pgbench = null;
  if (options.pgbench) {
    pgbench = await runPgbench({
      databaseUrl: options.databaseUrl,
      scale: options.pgbenchScale,
      clients: options.pgbenchClients,
      jobs: options.pgbenchJobs,
      durationS: options.durationS,
      log,
    });
    if (pgbench.error) log(pgbench.error);
  }

  const h = load.histogram;
  const lagP99s = Object.values(eventLag)
    .filter((l) => l && l.p99Ms !== null)
    .map((l) => l.p99Ms);
  const lagMissing = Object.values(eventLag).reduce((n, l) => n + (l?.missing ?? 0), 0);
  const result = {
    transfersPerSec: round(load.transfersPerSec, 1),
    requestsPerSec: round(load.requestsPerSec, 1),
    p50Ms: round(h.getValueAtPercentile(50) / 1000),
    p95Ms: round(h.getValueAtPercentile(95) / 1000),
    p99Ms: round(h.getValueAtPercentile(99) / 1000),
    maxMs: round(h.maxValue / 1000),
    meanMs: round(h.mean / 1000),
    windowRequests: load.windowRequests,
    statusCounts: load.statusCounts,
    // The slowest subscriber's p99; null when no sample reached any of them.
    eventLagP99Ms: lagP99s.length ? Math.max(...lagP99s) : null,
    eventLagMissing: lagMissing,
    eventLag,
    invariantsOk: invariants.ok,
    invariants,
    pgbenchTps: pgbench?.tps ?? null,
    ratio: pgbench?.tps ? round(load.transfersPerSec / pgbench.tps, 4) : null,
    pgbench,
    processes: processes ?? {},
    totals: load.totals,
    setupMs,
    settings: {
      durationS: options.durationS,
      warmupS: options.warmupS,
      connections: options.connections,
      accounts: options.accounts,
      hotFraction: options.hotFraction,
      amountMax: options.amountMax,
      deposit: options.deposit,
      lagSamples: options.lagSamples,
      urls,
    },
    machine,
    finishedAt: new Date().toISOString(),
  };

  process.stdout.write(`${renderReport(result)}\n`);
  const out = options.out ?? path.join(ROOT, 'bench-results', `bench-${result.finishedAt.replace(/[:.]/g, '-')}.json`);
  try {
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`(written to ${path.relative(process.cwd(), out)})\n`);
  } catch (error) {
    log(`could not write ${out}: ${error.message}`);
  }
  // The machine-readable result, always the last line.
  const { invariants: inv, eventLag: lag, processes: procs, pgbench: pgb, ...flat } = result;
  process.stdout.write(
    `${JSON.stringify({ ...flat, eventLag: lag, invariants: inv.checks.map((c) => ({ name: c.name, ok: c.ok, ...(c.skipped ? { skipped: true } : {}) })), processes: procs, pgbench: pgb })}\n`,
  );
  return invariants.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    log(`failed: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(2);
  },
);
