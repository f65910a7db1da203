import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { APPS, ROOT } from '../../scripts/lib/system.mjs';
import { startTestSystem, type TestSystem } from '../support/test-system.js';

/** Each app's own variables that must be a port: a bad one must stop the boot, naming it. */
const BAD_PORT: Record<string, string> = {
  orchestrator: 'ORCHESTRATOR_HTTP_PORT',
  accounts: 'ACCOUNTS_TCP_PORT',
  ledger: 'LEDGER_TCP_PORT',
  auth: 'AUTH_TCP_PORT',
  notifications: 'NOTIFICATIONS_TCP_PORT',
  audit: 'AUDIT_HTTP_PORT',
  analytics: 'ANALYTICS_HTTP_PORT',
};

describe('boot with a bad variable (built apps)', () => {
  it.each(APPS.map((app) => [app]))('%s exits with EX_CONFIG (78), naming every bad variable and never echoing a URL', (app) => {
    const port = BAD_PORT[app];
    const result = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'apps', app, 'src', 'main.js')], {
      env: { PATH: process.env.PATH, [port]: 'not-a-port', DATABASE_URL: 'mysql://user:secret@db/bank', LOG_LEVEL: 'loud' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(78);
    const fatal = JSON.parse(result.stderr.trim().split('\n').pop()!) as { level: string; service: string; problems: string[] };
    expect(fatal).toMatchObject({ level: 'fatal', service: app });
    const named = fatal.problems.map((p) => p.split(':')[0]);
    expect(named).toEqual(expect.arrayContaining([port, 'DATABASE_URL', 'LOG_LEVEL']));
    expect(result.stderr).not.toContain('secret');
    expect(result.stdout).toBe('');
  });
});

describe('without NODE_ENV: production rules (built apps)', () => {
  const boot = (app: string, env: Record<string, string>) =>
    spawnSync(process.execPath, [path.join(ROOT, 'dist', 'apps', app, 'src', 'main.js')], {
      env: { PATH: process.env.PATH, ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });
  const problemsOf = (stderr: string) =>
    (JSON.parse(stderr.trim().split('\n').pop()!) as { problems: string[] }).problems.map((p) => p.split(':')[0]);

  it('auth refuses to boot on its dev secrets (the dev pepper, a generated signing key)', () => {
    const result = boot('auth', {});
    expect(result.status).toBe(78);
    expect(problemsOf(result.stderr)).toEqual(expect.arrayContaining(['OTP_PEPPER', 'AUTH_SIGNING_KEY']));
  });

  it('notifications refuses the dev outbox', () => {
    const result = boot('notifications', { NOTIFICATIONS_DEV_OUTBOX: 'true' });
    expect(result.status).toBe(78);
    expect(problemsOf(result.stderr)).toEqual(['NOTIFICATIONS_DEV_OUTBOX']);
  });

  describe('notifications booted without NODE_ENV', () => {
    let system: TestSystem;
    beforeAll(async () => {
      // The harness sets NODE_ENV=test and turns the dev outbox on; unset both, as a bare start would.
      system = await startTestSystem({ apps: ['notifications'], env: { NODE_ENV: undefined, NOTIFICATIONS_DEV_OUTBOX: undefined } });
    }, 300_000);
    afterAll(() => system?.stop(), 60_000);

    it('runs, with no dev outbox', async () => {
      expect(system.sys.env.NODE_ENV).toBeUndefined();
      await system.http('notifications').get('/health').expect(200);
      await system.http('notifications').get('/outbox').query({ recipient: '+4915112345678' }).expect(404);
    });
  });
});
