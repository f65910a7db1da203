import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BaseConfig, BrokerConfig } from '@bank/common';
import semver from 'semver';
import { composeCommands } from '../../scripts/lib/compose.mjs';
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
/**
 * Tracing comes from the shell running compose (off unless OTEL_EXPORTER_OTLP_ENDPOINT is given), so
 * these are `${NAME:-default}` in the file; start:all passes the same variables through from its environment.
 */
const TRACING_VARIABLES = [
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
  'TRACE_UI_URL',
];

const asMap = (value: YamlValue | undefined): YamlMap =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};
const environmentOf = (service: string) => asMap(services[service]?.environment);
const dependsOn = (service: string) => asMap(services[service]?.depends_on);
const asString = (value: YamlValue | undefined): string => {
  if (typeof value !== 'string') throw new Error(`expected a string, got ${JSON.stringify(value)}`);
  return value;
};

const IMAGE = 'bank/app:local';
/** The URLs with credentials: an app reads its own from a file of its credentials volume, never from the environment. */
const CREDENTIAL_URLS = ['DATABASE_URL', 'AMQP_URL'];
const ADMIN_VARIABLES = ['DATABASE_ADMIN_URL', 'RABBITMQ_ADMIN_URL', 'POSTGRES_PASSWORD', 'RABBITMQ_DEFAULT_PASS'];
/** `scheme://user:password@host:port/path` with the user and password as written (they may be ${...} of .env). */
const urlParts = (url: string) => {
  const part = String.raw`\$\{[^}]*\}`;
  const match = new RegExp(String.raw`^(\w+)://(?:(${part}|[^:@/]*)(?::(${part}|[^@]*))?@)?([^:/@]+)(?::(\d+))?(?:/(.*))?$`).exec(url);
  if (!match) throw new Error(`not a URL: ${url}`);
  const [, scheme, user, password, host, port, path] = match;
  return { scheme, user, password, host, port, path };
};
/** Every host port the file publishes, with the service that publishes it. */
const published = Object.entries(services).flatMap(([name, service]) =>
  ((service.ports ?? []) as string[]).map((mapping) => ({ service: name, mapping })),
);
const healthcheckTest = (port: number) => [
  'CMD',
  'bash',
  '-c',
  `{ printf "GET /health HTTP/1.0\\r\\n\\r\\n" >&3; read -r _ status _ <&3; } 3<>/dev/tcp/127.0.0.1/${port}; [ "$$status" = 200 ]`,
];

describe('docker-compose.yml', () => {
  it('has a service for every application of nest-cli.json, plus postgres, rabbitmq, migrate, certs, dev-ports and jaeger', () => {
    expect(Object.keys(services).sort()).toEqual([...APPS, 'certs', 'dev-ports', 'jaeger', 'migrate', 'postgres', 'rabbitmq'].sort());
  });

  it('runs Jaeger only in the tracing profile (not dev: test:compose runs dev where its image may not be), UI on 127.0.0.1', () => {
    const jaeger = services.jaeger ?? {};
    expect(jaeger.profiles).toEqual(['tracing']);
    expect(jaeger.ports).toEqual(['127.0.0.1:16686:16686']);
    // Tracing is off unless asked for: no app is pointed at it by default.
    expect(environmentOf(APPS[0]).OTEL_EXPORTER_OTLP_ENDPOINT).toBe('${OTEL_EXPORTER_OTLP_ENDPOINT:-}');
    for (const name of TRACING_VARIABLES) expect(asString(environmentOf(APPS[0])[name])).toMatch(new RegExp(`^\\$\\{${name}:-[^}]*\\}$`));
  });

  it('has no top-level name (compose v1 refuses it; the project name comes from the directory, -p or COMPOSE_PROJECT_NAME)', () => {
    expect(
      Object.keys(compose)
        .filter((key) => !key.startsWith('x-'))
        .sort(),
    ).toEqual(['networks', 'services', 'volumes']);
  });

  it('builds one image for everything that runs the code, the same way everywhere', () => {
    const ours = Object.entries(services).filter(([, service]) => service.build !== undefined);
    expect(ours.map(([name]) => name).sort()).toEqual([...APPS, 'certs', 'dev-ports', 'migrate'].sort());
    for (const [name, service] of ours)
      expect({ name, build: service.build, image: service.image }).toEqual({ name, build: { context: '.' }, image: IMAGE });
  });

  it('publishes only the public API by default, and every published port on 127.0.0.1 only', () => {
    // A host port may be a variable of .env with its default (compose v1 and v2 both read ${NAME:-default}).
    for (const { mapping } of published) expect(mapping).toMatch(/^127\.0\.0\.1:(\d+|\$\{[A-Z_]+:-\d+\}):\d+$/);
    const always = published.filter(({ service }) => services[service]?.profiles === undefined);
    expect(always).toEqual([{ service: 'orchestrator', mapping: `127.0.0.1:${ports.orchestrator.http}:${ports.orchestrator.http}` }]);
  });

  it('keeps every service on the internal network; only what publishes ports also joins edge', () => {
    expect(asMap(compose.networks).backend).toEqual({ internal: true });
    // The certs one-shot needs no network at all.
    expect(services.certs?.network_mode).toBe('none');
    for (const [name, service] of Object.entries(services).filter(([name]) => name !== 'certs')) {
      const networks = service.networks as string[];
      expect({ name, backend: networks.includes('backend') }).toEqual({ name, backend: true });
      expect({ name, edge: networks.includes('edge') }).toEqual({ name, edge: service.ports !== undefined });
    }
  });

  describe.each([...APPS])('service %s', (app) => {
    const service = () => services[app] ?? {};

    it('runs its app (APP) from the one image and restarts unless stopped', () => {
      expect(environmentOf(app).APP).toBe(app);
      expect(service().command).toBeUndefined();
      expect(service().restart).toBe('unless-stopped');
    });

    it('sets exactly the variable names systemEnv() sets, plus APP and the tracing ones, all as strings; the URLs with credentials as files', () => {
      const env = environmentOf(app);
      const names = Object.keys(systemVariables).map((name) => (CREDENTIAL_URLS.includes(name) ? `${name}_FILE` : name));
      expect(Object.keys(env).sort()).toEqual([...names, 'APP', ...TRACING_VARIABLES].sort());
      for (const [name, value] of Object.entries(env)) expect({ name, type: typeof value }).toEqual({ name, type: 'string' });
    });

    it('points at the compose services and the contract ports', () => {
      const env = environmentOf(app);
      for (const peer of APPS) {
        expect(env[envVar(peer, 'HOST')]).toBe(peer);
        expect(env[envVar(peer, 'HTTP_PORT')]).toBe(String(ports[peer].http));
        if (ports[peer].tcp !== undefined) expect(env[envVar(peer, 'TCP_PORT')]).toBe(String(ports[peer].tcp));
      }
      // Its own role and broker user, in files that only its container mounts (written by migrate).
      for (const name of CREDENTIAL_URLS) expect(env[`${name}_FILE`]).toBe(`/credentials/${name}`);
      expect(env.NOTIFICATIONS_DEV_OUTBOX).toBe('true');
      // The image says production, where the dev outbox and auth's dev secrets are refused.
      expect(env.NODE_ENV).toBe('development');
    });

    it('has a healthcheck on its own GET /health (over TLS with the CA on an internal port, by bash builtins on plain HTTP)', () => {
      const test = asMap(service().healthcheck).test as string[];
      const url = `${httpUrl(app, ports[app].http)}/health`;
      if (url.startsWith('https:')) {
        expect(test.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
        expect(test[3]).toContain(`require('https').get('${url}', { ca: require('fs').readFileSync('/certs/ca.crt') }`);
        expect(test[3]).toMatch(/process\.exit\(r\.statusCode === 200 \? 0 : 1\)/);
      } else {
        expect(test).toEqual(healthcheckTest(ports[app].http));
      }
    });

    it('mounts only its own certificates and credentials volumes, read-only, at CERTS_DIR and /credentials', () => {
      expect(environmentOf(app).CERTS_DIR).toBe('/certs');
      expect(service().volumes).toEqual([`certs-${app}:/certs:ro`, `credentials-${app}:/credentials:ro`]);
    });

    it('gets no admin credential, no password, no URL carrying a user and nothing of guest in its environment', () => {
      const env = environmentOf(app);
      for (const name of [...CREDENTIAL_URLS, ...ADMIN_VARIABLES]) expect(env).not.toHaveProperty(name);
      // A URL without a user (the trace UI's) carries no secret; one with a user does.
      for (const [name, value] of Object.entries(env))
        expect({ name, value }).not.toEqual({ name, value: expect.stringMatching(/guest|PASSWORD|:\/\/[^/\s]*@/) });
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

  it('provisions and migrates once, after postgres and rabbitmq are healthy: the admin credentials there only', () => {
    const migrate = services.migrate ?? {};
    expect(migrate.command).toEqual(['node', 'scripts/migrate.mjs']);
    expect(migrate.restart).toBe('no');
    const env = environmentOf('migrate');
    expect(Object.keys(env).sort()).toEqual(
      [
        ...Object.keys(systemVariables),
        ...TRACING_VARIABLES,
        'DATABASE_ADMIN_URL',
        'RABBITMQ_ADMIN_URL',
        'CREDENTIALS_DIR',
        'CREDENTIALS_OWNER',
      ].sort(),
    );
    // Server, database and vhost only; provisioning puts each app's own user and password on them.
    for (const name of CREDENTIAL_URLS)
      expect({ name, ...urlParts(asString(env[name])) }).toMatchObject({ name, user: undefined, password: undefined });
    expect(urlParts(asString(env.DATABASE_URL)).host).toBe('postgres');
    expect(urlParts(asString(env.AMQP_URL)).host).toBe('rabbitmq');
    expect(urlParts(asString(env.DATABASE_ADMIN_URL)).host).toBe('postgres');
    expect(urlParts(asString(env.RABBITMQ_ADMIN_URL))).toMatchObject({ scheme: 'http', host: 'rabbitmq', port: '15672' });
    // Each app's volume, and the operator's; written for the apps' user (the image's node), hence root here.
    expect(env.CREDENTIALS_DIR).toBe('/credentials');
    expect(env.CREDENTIALS_OWNER).toBe('1000:1000');
    expect(migrate.user).toBe('root');
    expect([...(migrate.volumes as string[])].sort()).toEqual(
      [...APPS, 'operator'].map((name) => `credentials-${name}:/credentials/${name}`).sort(),
    );
    expect(dependsOn('migrate')).toEqual({ postgres: { condition: 'service_healthy' }, rabbitmq: { condition: 'service_healthy' } });
    expect(existsSync(path.join(root, 'scripts', 'migrate.mjs'))).toBe(true);
  });

  it('gives no service but migrate (and the servers themselves) an admin credential', () => {
    for (const [name] of Object.entries(services).filter(([name]) => !['migrate', 'postgres', 'rabbitmq'].includes(name))) {
      const env = environmentOf(name);
      for (const variable of ADMIN_VARIABLES) expect({ name, has: variable in env }).toEqual({ name, has: false });
    }
  });

  it('writes the certificates once: the CA key in its own volume, each app its own files in its own volume', () => {
    const certs = services.certs ?? {};
    expect(certs.command).toEqual(['node', 'scripts/certs.mjs', '--split', '/split', '--owner', '1000:1000']);
    expect(certs.restart).toBe('no');
    expect(environmentOf('certs')).toEqual({ CERTS_DIR: '/certs-all' });
    expect([...(certs.volumes as string[])].sort()).toEqual(['certs-ca:/certs-all', ...APPS.map((a) => `certs-${a}:/split/${a}`)].sort());
    for (const app of APPS) expect(filesOf(app)).not.toContain('ca.key');
  });

  it("gives postgres migrate's admin user and password and the database of its DATABASE_URL, with a pg_isready healthcheck", () => {
    const postgres = services.postgres ?? {};
    expect(postgres.image).toBe('postgres:15');
    const admin = urlParts(asString(environmentOf('migrate').DATABASE_ADMIN_URL));
    const database = urlParts(asString(environmentOf('migrate').DATABASE_URL)).path;
    expect(environmentOf('postgres')).toEqual({
      POSTGRES_USER: admin.user,
      POSTGRES_PASSWORD: admin.password,
      POSTGRES_DB: database,
    });
    // The password is .env's (with a default), never only written here.
    expect(admin.password).toMatch(/^\$\{POSTGRES_PASSWORD:-[^}]+\}$/);
    expect(asMap(postgres.healthcheck).test).toEqual(['CMD', 'pg_isready', '-U', admin.user, '-d', database]);
    // Postgres must not be PID 1: it would take a healthcheck process killed at its timeout for a crashed backend.
    expect(postgres.init).toBe(true);
  });

  it("runs RabbitMQ 3.10 with a fixed hostname (its node name, so durable queues survive a recreate), migrate's admin and a healthcheck", () => {
    const rabbitmq = services.rabbitmq ?? {};
    expect(rabbitmq.image).toBe('rabbitmq:3.10-management');
    expect(rabbitmq.hostname).toBe('rabbitmq');
    const amqp = urlParts(asString(environmentOf('migrate').AMQP_URL));
    expect(amqp.host).toBe(rabbitmq.hostname);
    const admin = urlParts(asString(environmentOf('migrate').RABBITMQ_ADMIN_URL));
    expect(environmentOf('rabbitmq')).toEqual({ RABBITMQ_DEFAULT_USER: admin.user, RABBITMQ_DEFAULT_PASS: admin.password });
    expect(asMap(rabbitmq.healthcheck).test).toEqual(['CMD', 'bash', '-c', `: </dev/tcp/127.0.0.1/${amqp.port}`]);
  });

  it('dev-ports (profile dev only) forwards each internal HTTP port and the management UI, each to its own service', () => {
    const devPorts = services['dev-ports'] ?? {};
    expect(devPorts.profiles).toEqual(['dev']);
    const [node, script, ...routes] = devPorts.command as string[];
    expect([node, script]).toEqual(['node', 'scripts/dev-ports.mjs']);
    const internal = APPS.filter((app) => app !== 'orchestrator').map((app) => ({ port: ports[app].http, to: app }));
    const expected = [...internal, { port: 15672, to: 'rabbitmq' }];
    expect(routes).toEqual(expected.map(({ port, to }) => `${port}=${to}:${port}`));
    // The management UI's host port is DEV_RABBITMQ_MANAGEMENT_PORT: a broker on the host may hold 15672.
    const hostPort = (port: number) => (port === 15672 ? '${DEV_RABBITMQ_MANAGEMENT_PORT:-15672}' : String(port));
    expect(devPorts.ports).toEqual(expected.map(({ port }) => `127.0.0.1:${hostPort(port)}:${port}`));
    expect(existsSync(path.join(root, 'scripts', 'dev-ports.mjs'))).toBe(true);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

  it('builds with dev dependencies and runs with production ones only, as a non-root user', () => {
    expect(dockerfile.match(/^FROM node:20-slim AS \S+/gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev/m);
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).not.toMatch(/^RUN npm ci --no-audit/m);
  });

  it('has no syntax directive (BuildKit would fetch a frontend image for it) and nothing per app at build time', () => {
    expect(dockerfile).not.toMatch(/^#\s*syntax\s*=/im);
    expect(dockerfile).not.toMatch(/^\s*ARG\s/m);
    expect(dockerfile).not.toMatch(/^\s*ENV\s+APP\b/m);
  });

  it('runs the app named by APP at run time, and ships what the one-shot and dev services run', () => {
    // The same heap limits as start:all, so the RSS measured by the benchmark is what a container uses.
    expect(runtime).toContain(`exec node ${APP_HEAP_FLAGS.join(' ')} \\"dist/apps/\${APP:?`);
    expect(runtime).toMatch(/COPY .*scripts\/migrate\.mjs/);
    expect(runtime).toMatch(/COPY .*scripts\/certs\.mjs/);
    expect(runtime).toMatch(/COPY .*scripts\/dev-ports\.mjs/);
    expect(runtime).toMatch(/COPY .*scripts\/lib /);
  });
});

describe('package.json engines', () => {
  const pkg = JSON.parse(read('package.json')) as { engines: { node: string } };
  const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { engines?: unknown; dev?: boolean }> };
  const imageNode = /^FROM node:(\d+)-slim/m.exec(read('Dockerfile'))![1];

  it("admit the image's Node, and every locked package supports the oldest Node they admit (npm ci warns EBADENGINE otherwise)", () => {
    const oldest = semver.minVersion(pkg.engines.node)!.version;
    expect(semver.major(oldest)).toBe(Number(imageNode));
    const unsupported = Object.entries(lock.packages)
      .filter(([name]) => name !== '')
      .map(([name, entry]) => ({ name: name.replace(/^.*node_modules\//, ''), node: asMap(entry.engines as YamlValue).node }))
      .flatMap(({ name, node }) => (typeof node === 'string' && !semver.satisfies(oldest, node) ? [`${name} wants node ${node}`] : []));
    expect(unsupported).toEqual([]);
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
      .filter(([name, fallback]) => !(name in env) && !(`${name}_FILE` in env) && unsafeInContainers(name, fallback))
      .map(([name]) => name);
    expect(missing).toEqual([]);
    expect(env).toHaveProperty('DATABASE_URL_FILE');
    if (broker) expect(env).toHaveProperty('AMQP_URL_FILE');
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

// Every Compose CLI on this machine must accept the file: v2 (`docker compose`) and v1 (`docker-compose`).
const composeClis = composeCommands();
describe.each(composeClis.length > 0 ? composeClis.map((cli) => [cli.join(' ')]) : [['none']])('compose CLI %s', (cli) => {
  (cli === 'none' ? it.skip : it)(
    cli === 'none'
      ? 'config -q (skipped: neither the docker compose plugin nor docker-compose is installed)'
      : 'config -q accepts docker-compose.yml, with and without the dev and tracing profiles',
    () => {
      const [command, ...args] = cli.split(' ');
      for (const profile of [[], ['--profile', 'dev'], ['--profile', 'dev', '--profile', 'tracing']]) {
        const result = spawnSync(command, [...args, '-f', 'docker-compose.yml', ...profile, 'config', '-q'], {
          cwd: root,
          encoding: 'utf8',
        });
        expect({ profile, status: result.status, stderr: result.stderr }).toEqual({ profile, status: 0, stderr: '' });
      }
    },
  );
});
