import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { APPS, defaultPorts, freePorts, portsFromEnv, systemEnv } from '../../scripts/lib/system.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

function nestCliApplications(): string[] {
  const nestCli = JSON.parse(read('nest-cli.json')) as { projects: Record<string, { type: string }> };
  return Object.entries(nestCli.projects)
    .filter(([, p]) => p.type === 'application')
    .map(([name]) => name);
}

/** `| accounts | 3001 (`ACCOUNTS_HTTP_PORT`) | 4001 (`ACCOUNTS_TCP_PORT`) |` rows of CONVENTIONS.md. */
function conventionsPortTable(): Map<string, { http?: number; tcp?: number; vars: string[] }> {
  const table = new Map<string, { http?: number; tcp?: number; vars: string[] }>();
  const section = read('docs/CONVENTIONS.md')
    .split(/^## /m)
    .find((s) => s.startsWith('Ports'));
  expect(section).toBeDefined();
  for (const row of section!.split('\n')) {
    const cells = row.split('|').map((c) => c.trim());
    // Data rows only: the header (`| app | HTTP | TCP |`) has no port number.
    if (cells.length < 5 || !/^[a-z]+$/.test(cells[1]) || !/^\d/.test(cells[2])) continue;
    const parse = (cell: string) => (/^\d+/.test(cell) ? Number(/^\d+/.exec(cell)![0]) : undefined);
    const vars = [...row.matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]);
    table.set(cells[1], { http: parse(cells[2]), tcp: parse(cells[3]), vars });
  }
  return table;
}

/** The public contract, when this checkout has it (the lead may copy it to docs/). */
const contractFile = [path.join(root, 'docs', 'API-CONTRACT.md'), path.join(root, '..', 'shared', 'API-CONTRACT.md')].find((f) =>
  existsSync(f),
);

/** HTTP ports the public contract names, e.g. `| orchestrator | ... | HTTP 3000 |`. */
function contractHttpPorts(file: string): Map<string, number> {
  const ports = new Map<string, number>();
  for (const row of readFileSync(file, 'utf8').split('\n')) {
    const cells = row.split('|').map((c) => c.trim());
    const http = /HTTP (\d+)/.exec(cells[3] ?? '');
    if (cells.length >= 5 && /^[a-z]+$/.test(cells[1] ?? '') && http) ports.set(cells[1], Number(http[1]));
  }
  return ports;
}

describe('scripts/lib/system.mjs', () => {
  it('knows exactly the applications of nest-cli.json, the orchestrator (the edge) last', () => {
    expect([...APPS].sort()).toEqual(nestCliApplications().sort());
    expect(APPS[APPS.length - 1]).toBe('orchestrator');
    expect(new Set(APPS).size).toBe(APPS.length);
  });

  it('uses the port table of docs/CONVENTIONS.md as its defaults', () => {
    const table = conventionsPortTable();
    expect([...table.keys()].sort()).toEqual([...APPS].sort());
    const ports = defaultPorts();
    for (const app of APPS) {
      const row = table.get(app)!;
      expect({ app, ...ports[app] }).toEqual({ app, http: row.http, ...(row.tcp === undefined ? {} : { tcp: row.tcp }) });
      // The variable names in the table are the ones systemEnv sets.
      const env = systemEnv({ base: {} });
      for (const name of row.vars) expect(env).toHaveProperty(name);
    }
  });

  (contractFile ? it : it.skip)(
    `agrees with the HTTP ports the public contract fixes${contractFile ? '' : ' (skipped: no API-CONTRACT.md found)'}`,
    () => {
      const contract = contractHttpPorts(contractFile!);
      expect(contract.size).toBeGreaterThanOrEqual(4);
      const ports = defaultPorts();
      for (const [app, http] of contract) expect({ app, http: ports[app]?.http }).toEqual({ app, http });
    },
  );

  it('hands out distinct free ports in the same shape as the defaults', async () => {
    const ports = await freePorts();
    const shape = (p: ReturnType<typeof defaultPorts>) =>
      Object.fromEntries(Object.entries(p).map(([app, kinds]) => [app, Object.keys(kinds).sort()]));
    expect(shape(ports)).toEqual(shape(defaultPorts()));
    const all = Object.values(ports).flatMap((p) => (p.tcp === undefined ? [p.http] : [p.http, p.tcp]));
    expect(new Set(all).size).toBe(all.length);
    for (const port of all) expect(port).toBeGreaterThan(1024);
  });

  it('gives every app its ports, every peer host on loopback, the database, the broker and the dev outbox', () => {
    const ports = { ...defaultPorts(), accounts: { http: 3591, tcp: 4591 } };
    const env = systemEnv({ ports, databaseUrl: 'postgres://x@127.0.0.1:5432/db', amqpUrl: 'amqp://y@127.0.0.1:5672', base: {} });
    expect(env).toMatchObject({
      DATABASE_URL: 'postgres://x@127.0.0.1:5432/db',
      AMQP_URL: 'amqp://y@127.0.0.1:5672',
      NOTIFICATIONS_DEV_OUTBOX: 'true',
      OTP_SOURCE_LIMIT: '10000',
      OTP_SMS_PER_MINUTE: '10000',
      ACCOUNTS_HTTP_PORT: '3591',
      ACCOUNTS_TCP_PORT: '4591',
      ACCOUNTS_HOST: '127.0.0.1',
      ORCHESTRATOR_HTTP_PORT: '3000',
    });
    expect(env).not.toHaveProperty('ORCHESTRATOR_TCP_PORT');
    for (const value of Object.values(env)) expect(typeof value).toBe('string');
    expect(portsFromEnv(env)).toEqual(ports);
  });

  it('merges over the base environment, with extra winning over everything', () => {
    const env = systemEnv({
      base: { PATH: '/bin', LOG_LEVEL: 'debug', DATABASE_URL: 'postgres://from-base/db' },
      extra: { LOG_LEVEL: 'warn' },
    });
    expect(env.PATH).toBe('/bin');
    expect(env.DATABASE_URL).toBe('postgres://from-base/db');
    expect(env.LOG_LEVEL).toBe('warn');
    expect(systemEnv({ base: {} }).DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/bank');
  });

  it('refuses a port variable that is not a port', () => {
    expect(() => portsFromEnv({ LEDGER_TCP_PORT: 'abc' })).toThrow(/LEDGER_TCP_PORT/);
  });
});
