// The human-readable part of the bench's output: aligned tables on stdout.

export function table(title, header, rows) {
  const cells = [header, ...rows].map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c))));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  // Numbers right-aligned, text left-aligned.
  const line = (r) =>
    r
      .map((c, i) => (i > 0 && /^-?[\d.]+$/.test(c) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [``, title, line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

const fmt = (v, digits = 1) => (v === null || v === undefined || Number.isNaN(v) ? '-' : Number(v).toFixed(digits));

export function renderReport(result) {
  const out = [];
  const s = result.settings;
  out.push(
    `bank benchmark: ${s.durationS}s measured after ${s.warmupS}s warm-up, ${s.connections} connections, ${s.accounts} accounts` +
      `${s.hotFraction > 0 ? `, hot account (${Math.round(s.hotFraction * 100)}% of transfers touch one account)` : ', uniform pairs'}`,
  );
  out.push(
    `machine: ${result.machine.cores} cores, ${result.machine.cpuModel}, ${result.machine.memGb} GB, node ${result.machine.node}${result.machine.postgres ? `, ${result.machine.postgres}` : ''}, load average ${result.machine.loadAvg1mAtStart} at start`,
  );

  out.push(
    table(
      'throughput and latency (POST /transfers, closed loop)',
      ['metric', 'value'],
      [
        ['transfers/s (201 + 202)', fmt(result.transfersPerSec)],
        ['requests/s (all answers)', fmt(result.requestsPerSec)],
        ['latency p50 ms', fmt(result.p50Ms, 2)],
        ['latency p95 ms', fmt(result.p95Ms, 2)],
        ['latency p99 ms', fmt(result.p99Ms, 2)],
        ['latency max ms', fmt(result.maxMs, 2)],
        ['latency mean ms', fmt(result.meanMs, 2)],
        ['requests in window', result.windowRequests],
      ],
    ),
  );
  out.push(
    table(
      'status counts (measured window)',
      ['status', 'count'],
      Object.entries(result.statusCounts).sort((a, b) => b[1] - a[1]),
    ),
  );

  out.push(
    table(
      'event lag: transfer completedAt -> subscriber has it (sampled transfers)',
      ['subscriber', 'samples', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'missing'],
      Object.entries(result.eventLag).map(([name, lag]) =>
        lag
          ? [name, lag.samples, fmt(lag.p50Ms), fmt(lag.p95Ms), fmt(lag.p99Ms), fmt(lag.maxMs), lag.missing]
          : [name, 'not running', '', '', '', '', ''],
      ),
    ),
  );

  out.push(
    table(
      'processes during the measured window (cpu % of one core)',
      ['process', 'pid(s)', 'cpu %', 'rss MB', 'max rss MB'],
      Object.entries(result.processes)
        .filter(([name]) => name !== 'machine')
        .map(([name, p]) => [
          name,
          Array.isArray(p.pids) ? p.pids.join(',') || 'not found' : `${p.pids} procs`,
          fmt(p.cpuPct),
          fmt(p.rssMb),
          fmt(p.maxRssMb),
        ])
        .concat([['machine (all cores)', '', `${fmt(result.processes.machine?.busyPct)}% busy`, '', '']]),
    ),
  );

  out.push(
    table(
      `invariants (${result.invariants.mode}; settled after ${fmt(result.invariants.settledMs / 1000)}s)`,
      ['check', 'result', 'detail'],
      result.invariants.checks.map((c) => [c.name, c.ok ? 'ok' : c.skipped ? 'SKIPPED' : 'BROKEN', c.detail ?? '']),
    ),
  );

  const pgb = result.pgbench;
  out.push(
    table(
      'baseline: pgbench TPC-B-like on the same Postgres',
      ['metric', 'value'],
      pgb?.tps
        ? [
            ['pgbench tps', fmt(pgb.tps)],
            ['pgbench latency avg ms', fmt(pgb.latencyMs, 2)],
            ['pgbench settings', `-s ${pgb.scale} -c ${pgb.clients} -j ${pgb.jobs} -T ${pgb.durationS}`],
            ['transfers/s : pgbench tps', fmt(result.ratio, 4)],
          ]
        : [['pgbench', pgb?.error ?? 'skipped']],
    ),
  );
  out.push('');
  out.push(result.invariantsOk ? 'all invariants hold' : 'INVARIANTS BROKEN');
  return out.join('\n');
}
