// `npm run test:compose`: the compose path, for real. With the repository's own docker-compose.yml,
// unmodified (only the project name and the dev profile are chosen here):
//   1. build the image and start the stack, wait until every service is healthy;
//   2. run the core end-to-end suite (test/core/transfers.e2e-spec.ts) against the published ports
//      (E2E_TARGET, see test/support/test-system.ts);
//   3. run test/compose (the page in Chromium, as in test/ui: /ui/ with no console error, /ui/system
//      with the seven services healthy; quiet logs; recreate the RabbitMQ and Postgres containers and
//      prove nothing durable was lost and the system serves on);
//   4. `down -v`, also after a failure (KEEP_COMPOSE_STACK=1 leaves the stack up to look at).
// Needs a Docker engine and a Compose CLI (v2 `docker compose` or v1 `docker-compose`), Chromium
// (CHROMIUM_PATH, default /usr/bin/chromium; .ci/run installs it), and the host ports 3000-3006 on
// 127.0.0.1 free. The stack's management UI goes to a free port of its own (DEV_RABBITMQ_MANAGEMENT_PORT),
// since a RabbitMQ on the host (the one start:all and the tests use) holds 15672 with its own. Prints how long each phase took.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { composeCommand } from './lib/compose.mjs';
import { complain, say } from './lib/cli.mjs';
import { ROOT } from './lib/system.mjs';

const PROJECT = process.env.COMPOSE_PROJECT_NAME || 'bank-test-compose';
const HEALTHY_WITHIN_MS = Number(process.env.COMPOSE_HEALTHY_WITHIN_MS ?? 300_000);
const JEST = [process.execPath, '--experimental-vm-modules', path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js')];

const cli = composeCommand();
if (!cli) fail('no Compose CLI: install the docker compose plugin (or docker-compose)');
if (spawnSync('docker', ['info'], { stdio: 'ignore' }).status !== 0) fail('no Docker engine answers (`docker info` fails)');
const compose = [...cli, '-f', path.join(ROOT, 'docker-compose.yml'), '-p', PROJECT, '--profile', 'dev'];
// Every compose command of this run, and the compose suite's own, read it from the environment.
process.env.DEV_RABBITMQ_MANAGEMENT_PORT ||= String(await freePort());
say(`[compose-test] the stack's RabbitMQ management UI on 127.0.0.1:${process.env.DEV_RABBITMQ_MANAGEMENT_PORT}`);

const timings = [];
async function phase(name, work) {
  const started = Date.now();
  say(`[compose-test] ${name}`);
  try {
    return await work();
  } finally {
    timings.push([name, Date.now() - started]);
  }
}

let failed = false;
try {
  // Whatever an interrupted earlier run left behind (containers, volumes) would not be a clean start.
  await phase('clean up leftovers (down -v)', () => exec([...compose, 'down', '-v', '--remove-orphans'], { quiet: true }));
  // Every service that runs the code builds the same image; one build makes it for all (compose v1
  // would otherwise repeat the same, fully cached, build once per service).
  await phase('build the image', () => exec([...compose, 'build', 'migrate']));
  await phase('up -d, until every service is healthy', async () => {
    await exec([...compose, 'up', '-d']);
    await waitHealthy();
  });
  // The stack's own CA and operator identity (its internal ports speak TLS), out of the certs one-shot.
  const certsDir = await mkdtemp(path.join(tmpdir(), 'compose-certs-'));
  const certsContainer = (await exec([...compose, 'ps', '-a', '-q', 'certs'], { capture: true })).trim();
  await exec(['docker', 'cp', `${certsContainer}:/certs-all/.`, certsDir], { quiet: true });
  const env = { E2E_TARGET: '127.0.0.1', E2E_TARGET_CERTS_DIR: certsDir, COMPOSE_CLI: JSON.stringify(compose) };
  await phase('core suite against the stack', () =>
    exec([...JEST, '--selectProjects', 'e2e', '--runInBand', '--forceExit', 'test/core/transfers.e2e-spec.ts'], { env }),
  );
  await phase('quiet logs, recreate RabbitMQ and Postgres, nothing lost', () =>
    exec([...JEST, '--selectProjects', 'compose', '--runInBand', '--forceExit'], { env }),
  );
} catch (error) {
  failed = true;
  complain(`[compose-test] FAILED: ${error instanceof Error ? error.message : String(error)}`);
  await exec([...compose, 'ps'], { allowFailure: true });
  await exec([...compose, 'logs', '--no-color', '--tail', '40'], { allowFailure: true });
} finally {
  if (process.env.KEEP_COMPOSE_STACK === '1')
    say(`[compose-test] KEEP_COMPOSE_STACK=1: stack left up; remove it with: ${compose.join(' ')} down -v`);
  else await phase('down -v', () => exec([...compose, 'down', '-v', '--remove-orphans'], { quiet: true, allowFailure: true }));
  say('[compose-test] timings:');
  for (const [name, ms] of timings) say(`  ${(ms / 1000).toFixed(1).padStart(7)} s  ${name}`);
}
process.exit(failed ? 1 : 0);

/** Every service of the project is healthy (or, for the one-shot, exited 0); fails on a service that cannot get there. */
async function waitHealthy() {
  const deadline = Date.now() + HEALTHY_WITHIN_MS;
  let last = '';
  for (;;) {
    const ids = (await exec([...compose, 'ps', '-q'], { capture: true })).split('\n').filter(Boolean);
    const format = '{{.Name}} {{.State.Status}} {{.State.ExitCode}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}';
    const states = (await exec(['docker', 'inspect', '--format', format, ...ids], { capture: true }))
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [name, status, exitCode, health] = line.split(' ');
        return { name: name.replace(/^\//, ''), status, exitCode, health };
      });
    const oneShotFailed = states.find((s) => s.status === 'exited' && s.exitCode !== '0');
    if (oneShotFailed) throw new Error(`${oneShotFailed.name} exited with code ${oneShotFailed.exitCode}`);
    // A service without a healthcheck (dev-ports) counts once it runs.
    const waiting = states.filter((s) => !(s.status === 'exited' || (s.status === 'running' && ['healthy', 'none'].includes(s.health))));
    if (waiting.length === 0) return;
    last = waiting.map((s) => `${s.name}: ${s.status}/${s.health}`).join(', ');
    if (Date.now() > deadline) throw new Error(`not healthy within ${HEALTHY_WITHIN_MS / 1000} s: ${last}`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/** Runs a command in the repository root; rejects on a non-zero exit unless allowFailure. */
function exec([command, ...args], { env = {}, quiet = false, capture = false, allowFailure = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', capture || quiet ? 'pipe' : 'inherit', quiet ? 'pipe' : 'inherit'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0 || allowFailure) resolve(stdout);
      else reject(new Error(`${[command, ...args].join(' ')} exited with ${code}${stderr ? `:\n${stderr.trim()}` : ''}`));
    });
  });
}

/** A TCP port nothing listens on at the moment, on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function fail(message) {
  complain(`[compose-test] ${message}`);
  process.exit(1);
}
