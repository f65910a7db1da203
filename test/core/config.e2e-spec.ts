import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { APPS, ROOT } from '../../scripts/lib/system.mjs';

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
