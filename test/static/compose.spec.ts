import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BaseConfig, BrokerConfig } from '@bank/common';
import { filesOf } from '../../scripts/lib/certs.mjs';
import { APP_HEAP_FLAGS, APPS, defaultPorts, httpUrl, systemEnv } from '../../scripts/lib/system.mjs';
import { parseYaml, type YamlMap, type YamlValue } from './support/mini-yaml.js';

// Holds docker-compose.yml (and the Dockerfile and .env.example it relies on) to the code: the apps
// of nest-cli.json, the ports of docs/CONVENTIONS.md, each app's config class and systemEnv().

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

const compose = parseYaml(read('docker-compose.yml')) as YamlMap;
const services = (compose.services ?? {}) as Record<string, YamlMap>;
const ports = defaultPorts();
/** The system's own variables, without whatever the test process happens to have. */
const systemVariables = systemEnv({ base: {} });
const envVar = (app: string, suffix: string) => `${app.toUpperCase()}_${suffix}`;

const asMap = (value: YamlValue | undefined): YamlMap =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};
const environmentOf = (service: string) => asMap(services[service]?.environment);
const dependsOn = (service: string) => asMap(services[service]?.depends_on);
const asString = (value: YamlValue | undefined): string => {
  if (typeof value !== 'string') throw new Error(`expected a string, got ${JSON.stringify(value)}`);
  return value;
};

describe('docker-compose.yml', () => {
  it('has a service for every application of nest-cli.json, plus postgres, rabbitmq, migrate and certs', () => {
    expect(Object.keys(services).sort()).toEqual([...APPS, 'certs', 'migrate', 'postgres', 'rabbitmq'].sort());
  });

  describe.each([...APPS])('service %s', (app) => {
    const service = () => services[app] ?? {};

    it('builds its own app from the Dockerfile and restarts unless stopped', () => {
      expect(asMap(service().build)).toEqual({ context: '.', args: { APP: app } });
      expect(service().restart).toBe('unless-stopped');
    });

    it('sets exactly the variable names systemEnv() sets, all as strings', () => {
      const env = environmentOf(app);
      expect(Object.keys(env).sort()).toEqual(Object.keys(systemVariables).sort());
      for (const [name, value] of Object.entries(env)) expect({ name, type: typeof value }).toEqual({ name, type: 'string' });
    });

    it('points at the compose services and the contract ports', () => {
      const env = environmentOf(app);
      for (const peer of APPS) {
        expect(env[envVar(peer, 'HOST')]).toBe(peer);
        expect(env[envVar(peer, 'HTTP_PORT')]).toBe(String(ports[peer].http));
        if (ports[peer].tcp !== undefined) expect(env[envVar(peer, 'TCP_PORT')]).toBe(String(ports[peer].tcp));
      }
      expect(new URL(asString(env.DATABASE_URL)).hostname).toBe('postgres');
      expect(new URL(asString(env.AMQP_URL)).hostname).toBe('rabbitmq');
      expect(env.NOTIFICATIONS_DEV_OUTBOX).toBe('true');
      // The image says production, where the dev outbox and auth's dev secrets are refused.
      expect(env.NODE_ENV).toBe('development');
    });

    it('publishes its HTTP port and no TCP port (commands stay inside the network)', () => {
      const { http } = ports[app];
      expect(service().ports).toEqual([`${http}:${http}`]);
    });

    it('has a healthcheck on its own GET /health (over TLS with the CA on an internal port)', () => {
      const healthcheck = asMap(service().healthcheck);
      const test = healthcheck.test as string[];
      expect(test.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
      const url = `${httpUrl(app, ports[app].http)}/health`;
      if (url.startsWith('https:')) {
        expect(test[3]).toContain(`require('https').get('${url}', { ca: require('fs').readFileSync('/certs/ca.crt') }`);
        expect(test[3]).toMatch(/process\.exit\(r\.statusCode === 200 \? 0 : 1\)/);
      } else {
        expect(test[3]).toContain(`fetch('${url}')`);
        expect(test[3]).toMatch(/process\.exit\(r\.status === 200 \? 0 : 1\)/);
      }
    });

    it('mounts only its own certificates volume, read-only, at CERTS_DIR', () => {
      expect(environmentOf(app).CERTS_DIR).toBe('/certs');
      expect(service().volumes).toEqual([`certs-${app}:/certs:ro`]);
    });

    it('waits for postgres, rabbitmq, the migrations and the certificates', () => {
      expect(dependsOn(app)).toMatchObject({
        postgres: { condition: 'service_healthy' },
        rabbitmq: { condition: 'service_healthy' },
        migrate: { condition: 'service_completed_successfully' },
        certs: { condition: 'service_completed_successfully' },
      });
    });
  });

  it('runs the migrations once, with the apps environment, after postgres is healthy', () => {
    const migrate = services.migrate ?? {};
    expect(migrate.command).toEqual(['node', 'scripts/migrate.mjs']);
    expect(migrate.restart).toBe('no');
    expect(Object.keys(environmentOf('migrate')).sort()).toEqual(Object.keys(systemVariables).sort());
    expect(dependsOn('migrate')).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(existsSync(path.join(root, 'scripts', 'migrate.mjs'))).toBe(true);
  });

  it('writes the certificates once: the CA key in its own volume, each app its own files in its own volume', () => {
    const certs = services.certs ?? {};
    expect(certs.command).toEqual(['node', 'scripts/certs.mjs', '--split', '/split', '--owner', '1000:1000']);
    expect(certs.restart).toBe('no');
    expect(environmentOf('certs')).toEqual({ CERTS_DIR: '/certs-all' });
    expect([...(certs.volumes as string[])].sort()).toEqual(['certs-ca:/certs-all', ...APPS.map((a) => `certs-${a}:/split/${a}`)].sort());
    for (const app of APPS) expect(filesOf(app)).not.toContain('ca.key');
  });

  it('gives postgres the database, user and password of DATABASE_URL, with a pg_isready healthcheck', () => {
    const postgres = services.postgres ?? {};
    expect(postgres.image).toBe('postgres:15');
    const url = new URL(asString(environmentOf(APPS[0]).DATABASE_URL));
    expect(environmentOf('postgres')).toMatchObject({
      POSTGRES_USER: url.username,
      POSTGRES_PASSWORD: url.password,
      POSTGRES_DB: url.pathname.slice(1),
    });
    expect(JSON.stringify(asMap(postgres.healthcheck).test)).toContain('pg_isready');
  });

  it('runs RabbitMQ 3.10 with the management UI published and a healthcheck', () => {
    const rabbitmq = services.rabbitmq ?? {};
    expect(rabbitmq.image).toBe('rabbitmq:3.10-management');
    expect(rabbitmq.ports).toContain('15672:15672');
    expect(JSON.stringify(asMap(rabbitmq.healthcheck).test)).toContain('rabbitmq-diagnostics');
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  it('builds with dev dependencies and runs with production ones only, as a non-root user', () => {
    expect(dockerfile.match(/^FROM node:20-slim AS \S+/gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev/m);
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).not.toMatch(/^RUN npm ci --no-audit/m);
  });

  it('runs the app named by APP, and ships what the migrate service runs', () => {
    expect(dockerfile).toMatch(/^ARG APP=/m);
    expect(dockerfile).toMatch(/^ENV APP=\$\{APP\}/m);
    // The same heap limits as start:all, so the RSS measured by the benchmark is what a container uses.
    expect(dockerfile).toContain(`exec node ${APP_HEAP_FLAGS.join(' ')} dist/apps/$APP/src/main.js`);
    expect(dockerfile).toContain('scripts/migrate.mjs');
    expect(dockerfile).toContain('scripts/certs.mjs');
    expect(dockerfile).toMatch(/COPY .*scripts\/lib /);
  });
});

/** Each existing app's config class: the variables it declares, with their defaults. */
async function loadConfigClass(app: string): Promise<{ defaults: Record<string, unknown>; broker: boolean }> {
  const file = path.join(root, 'apps', app, 'src', 'config', `${app}.config.ts`);
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const classes = Object.values(module).filter(
    (value): value is new () => object => typeof value === 'function' && value.prototype instanceof BaseConfig,
  );
  expect(classes).toHaveLength(1);
  const ConfigClass = classes[0];
  return { defaults: { ...new ConfigClass() }, broker: ConfigClass.prototype instanceof BrokerConfig };
}

/** A default that only works outside containers: loopback addresses, and hosts/ports/URLs at all. */
function unsafeInContainers(name: string, fallback: unknown): boolean {
  if (/_(HOST|PORT|URL)$/.test(name)) return true;
  return typeof fallback === 'string' && /127\.0\.0\.1|localhost|\[::1\]/.test(fallback);
}

describe.each([...APPS])('config of %s against compose', (app) => {
  const exists = existsSync(path.join(root, 'apps', app, 'src', 'main.ts'));
  const maybe = exists ? it : it.skip;
  const note = exists ? '' : ' (skipped: the app has no main.ts yet)';

  maybe(`sets every variable whose default would not work in a container${note}`, async () => {
    const { defaults, broker } = await loadConfigClass(app);
    const env = environmentOf(app);
    const missing = Object.entries(defaults)
      .filter(([name, fallback]) => !(name in env) && unsafeInContainers(name, fallback))
      .map(([name]) => name);
    expect(missing).toEqual([]);
    expect(env).toHaveProperty('DATABASE_URL');
    if (broker) expect(env).toHaveProperty('AMQP_URL');
  });

  maybe(`waits for every service it calls${note}`, async () => {
    const { defaults } = await loadConfigClass(app);
    const called = APPS.filter((peer) => peer !== app && envVar(peer, 'HOST') in defaults);
    for (const peer of called) {
      expect({ peer, dependsOn: dependsOn(app)[peer] }).toEqual({ peer, dependsOn: { condition: 'service_healthy' } });
      // A host without its port would reach the right container on the wrong port.
      if (ports[peer].tcp !== undefined) expect(defaults).toHaveProperty(envVar(peer, 'TCP_PORT'));
    }
  });

  maybe(`documents every variable it reads in .env.example${note}`, async () => {
    const { defaults } = await loadConfigClass(app);
    const documented = new Set([...read('.env.example').matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
    expect(Object.keys(defaults).filter((name) => !documented.has(name))).toEqual([]);
  });
});

describe('.env.example', () => {
  it('lists every variable systemEnv() sets, each with a comment', () => {
    const text = read('.env.example');
    for (const name of Object.keys(systemVariables)) {
      const line = new RegExp(`^#?\\s*${name}=.*$`, 'm').exec(text);
      expect({ name, listed: line !== null }).toEqual({ name, listed: true });
      const before = text.slice(0, line!.index).trimEnd().split('\n').pop() ?? '';
      expect({ name, commented: before.startsWith('#') && !/^#\s*[A-Z][A-Z0-9_]*=/.test(before) }).toEqual({ name, commented: true });
    }
  });
});

/** `docker-compose` (v1) or the `docker compose` plugin, whichever answers. */
function composeCommand(): string[] | undefined {
  if (spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0) return ['docker-compose'];
  if (spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0) return ['docker', 'compose'];
  return undefined;
}
const composeCli = composeCommand();

(composeCli ? it : it.skip)(
  composeCli
    ? `${composeCli.join(' ')} config -q accepts docker-compose.yml`
    : 'docker-compose config -q (skipped: neither docker-compose nor the docker compose plugin is installed)',
  () => {
    const [command, ...args] = composeCli!;
    const result = spawnSync(command, [...args, '-f', 'docker-compose.yml', 'config', '-q'], { cwd: root, encoding: 'utf8' });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
  },
);
