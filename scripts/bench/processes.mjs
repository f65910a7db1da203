// CPU and memory of the system's processes, read from /proc (Linux). An app's pid is found by the
// port it listens on (the socket inode in /proc/net/tcp*, then the process holding that inode),
// which stays right when several systems run side by side; failing that, by a command line naming
// dist/apps/<app>/ when exactly one process has it.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

let clockTicks;
function ticksPerSecond() {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

const read = (file) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

const numericDirs = (dir) => {
  try {
    return readdirSync(dir).filter((d) => /^\d+$/.test(d));
  } catch {
    return [];
  }
};

/** Inodes of the sockets listening on `port` (IPv4 and IPv6). */
function listeningInodes(port) {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of (read(table) ?? '').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is ADDR:PORT, st 0A is LISTEN, inode is column 10.
      if (cols.length > 9 && cols[1].endsWith(`:${hex}`) && cols[3] === '0A') inodes.add(cols[9]);
    }
  }
  return inodes;
}

/** Map port -> pid for the given ports (one scan of /proc/<pid>/fd). */
export function pidsByPorts(ports) {
  const wanted = new Map(); // inode -> port
  for (const port of ports) for (const inode of listeningInodes(port)) wanted.set(inode, port);
  const found = new Map();
  if (wanted.size === 0) return found;
  for (const pid of numericDirs('/proc')) {
    let fds;
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode && wanted.has(inode) && !found.has(wanted.get(inode))) found.set(wanted.get(inode), Number(pid));
    }
    if (found.size === wanted.size) break;
  }
  return found;
}

function cmdline(pid) {
  return (read(`/proc/${pid}/cmdline`) ?? '').split('\0').join(' ');
}

/** Pids whose command line contains `needle`. */
export function pidsByCommandLine(needle) {
  return numericDirs('/proc')
    .filter((pid) => Number(pid) !== process.pid && cmdline(pid).includes(needle))
    .map(Number);
}

/** Pids whose /proc/<pid>/comm is `name` (e.g. every postgres backend). */
function pidsByComm(name) {
  return numericDirs('/proc')
    .filter((pid) => (read(`/proc/${pid}/comm`) ?? '').trim() === name)
    .map(Number);
}

/** utime + stime in clock ticks, or undefined when the process is gone. */
function cpuTicks(pid) {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  // Fields after the command (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function rssKb(pid) {
  const status = read(`/proc/${pid}/status`);
  const kb = status && /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  return kb ? Number(kb) : 0;
}

function machineTicks() {
  const line = (read('/proc/stat') ?? '').split('\n')[0] ?? '';
  const values = line.split(/\s+/).slice(1).map(Number).filter(Number.isFinite);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { total: values.reduce((a, b) => a + b, 0), idle };
}

/**
 * Groups of pids to watch: each app (by its HTTP port, else its command line), Postgres and
 * RabbitMQ (every process of theirs, shared with anything else on this machine), and the bench.
 */
export function findProcesses(appPorts) {
  const byPort = pidsByPorts(Object.values(appPorts));
  const groups = {};
  for (const [app, port] of Object.entries(appPorts)) {
    let pid = byPort.get(port);
    if (pid === undefined) {
      const candidates = pidsByCommandLine(`dist/apps/${app}/`);
      if (candidates.length === 1) pid = candidates[0];
    }
    groups[app] = pid === undefined ? [] : [pid];
  }
  groups.postgres = () => pidsByComm('postgres');
  groups.rabbitmq = () => pidsByComm('beam.smp');
  groups.bench = [process.pid];
  return groups;
}

/**
 * Starts watching: `stop()` returns per group `{ pids, cpuPct, rssMb, maxRssMb }` over the time
 * between start and stop (cpuPct of one core: 200 means two cores busy), plus the machine's.
 */
export function watchProcesses(groups, { everyMs = 1000 } = {}) {
  const resolve = (g) => (typeof g === 'function' ? g() : g);
  const started = Date.now();
  const machineStart = machineTicks();
  const startTicks = new Map();
  const seen = {};
  const maxRss = {};
  const sample = () => {
    for (const [name, group] of Object.entries(groups)) {
      let rss = 0;
      for (const pid of resolve(group)) {
        if (!startTicks.has(pid)) {
          const ticks = cpuTicks(pid);
          if (ticks !== undefined) startTicks.set(pid, ticks);
        }
        (seen[name] ??= new Set()).add(pid);
        rss += rssKb(pid);
      }
      maxRss[name] = Math.max(maxRss[name] ?? 0, rss);
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      const seconds = (Date.now() - started) / 1000;
      const hz = ticksPerSecond();
      const result = {};
      for (const [name, group] of Object.entries(groups)) {
        const pids = [...(seen[name] ?? [])];
        let ticks = 0;
        let rss = 0;
        for (const pid of pids) {
          const now = cpuTicks(pid);
          if (now !== undefined && startTicks.has(pid)) ticks += now - startTicks.get(pid);
        }
        for (const pid of resolve(group)) rss += rssKb(pid);
        result[name] = {
          pids: typeof group === 'function' ? pids.length : pids,
          cpuPct: pids.length ? Math.round((ticks / hz / seconds) * 1000) / 10 : null,
          rssMb: pids.length ? Math.round(rss / 102.4) / 10 : null,
          maxRssMb: pids.length ? Math.round(maxRss[name] / 102.4) / 10 : null,
        };
      }
      const machineEnd = machineTicks();
      const total = machineEnd.total - machineStart.total;
      result.machine = { busyPct: total > 0 ? Math.round((1 - (machineEnd.idle - machineStart.idle) / total) * 1000) / 10 : null };
      return result;
    },
  };
}
