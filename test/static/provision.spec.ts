import pg from 'pg';
import { EVENT_PRODUCERS } from '@bank/contracts';
import { ANALYTICS_SUBSCRIBER } from '../../apps/analytics/src/analytics.schema.js';
import { AUDIT_SUBSCRIBER } from '../../apps/audit/src/audit.schema.js';
import { NOTIFICATIONS_SUBSCRIBER } from '../../apps/notifications/src/notices/notices.module.js';
import { APPS } from '../../scripts/lib/system.mjs';
import { DATABASE_ADMIN_URL } from '@bank/testing';
import { brokerPermissions, DATA_PLANE, scramVerifier } from '../../scripts/lib/provision.mjs';

// Holds the rights of scripts/lib/provision.mjs to the code: every app has them, the producers are
// the services of EVENT_PRODUCERS, a subscriber's queues are named after it.

const role = (wanted: string) =>
  Object.entries(DATA_PLANE)
    .filter(([, rights]) => rights.broker === wanted)
    .map(([app]) => app)
    .sort();

describe('data-plane rights (scripts/lib/provision.mjs)', () => {
  it('has rights for exactly the apps of nest-cli.json', () => {
    expect(Object.keys(DATA_PLANE).sort()).toEqual([...APPS].sort());
  });

  it('lets exactly the producers of EVENT_PRODUCERS write the events exchange', () => {
    expect(role('producer')).toEqual([...new Set(Object.values(EVENT_PRODUCERS))].sort());
  });

  it('names each subscriber app after its subscriber, whose queues it may use', () => {
    expect(role('subscriber')).toEqual([ANALYTICS_SUBSCRIBER, AUDIT_SUBSCRIBER, NOTIFICATIONS_SUBSCRIBER].sort());
  });

  it('gives audit SELECT and INSERT only, the others DML', () => {
    expect(Object.fromEntries(Object.entries(DATA_PLANE).map(([app, rights]) => [app, rights.tables.join(',')]))).toEqual({
      accounts: 'SELECT,INSERT,UPDATE,DELETE',
      ledger: 'SELECT,INSERT,UPDATE,DELETE',
      auth: 'SELECT,INSERT,UPDATE,DELETE',
      notifications: 'SELECT,INSERT,UPDATE,DELETE',
      audit: 'SELECT,INSERT',
      analytics: 'SELECT,INSERT,UPDATE,DELETE',
      orchestrator: 'SELECT,INSERT,UPDATE,DELETE',
    });
  });

  it('lets audit change one table only, its inbox_failures (bookkeeping, not the trail)', () => {
    expect(
      Object.fromEntries(Object.entries(DATA_PLANE).flatMap(([app, rights]) => (rights.tableRights ? [[app, rights.tableRights]] : []))),
    ).toEqual({
      audit: { inbox_failures: ['UPDATE', 'DELETE'] },
    });
  });

  it('builds broker permissions that reach only what each app uses', () => {
    const may = (app: string, kind: 'configure' | 'write' | 'read', resource: string) =>
      new RegExp(brokerPermissions(app, 'bank.events')![kind]).test(resource);
    expect(brokerPermissions('ledger', 'bank.events')).toBeUndefined();
    // A producer: the exchange, nothing else.
    expect([may('orchestrator', 'write', 'bank.events'), may('orchestrator', 'configure', 'bank.events')]).toEqual([true, true]);
    expect([
      may('orchestrator', 'write', 'amq.default'),
      may('orchestrator', 'read', 'audit.events'),
      may('orchestrator', 'write', 'bank_events'),
    ]).toEqual([false, false, false]);
    // A subscriber: its own queues, bind from the exchange, republish through the default exchange.
    expect(
      ['audit.events', 'audit.events.dlq', 'audit.events.retry.1s'].map((q) => [
        may('audit', 'configure', q),
        may('audit', 'read', q),
        may('audit', 'write', q),
      ]),
    ).toEqual([
      [true, true, true],
      [true, true, true],
      [true, true, true],
    ]);
    expect([may('audit', 'read', 'bank.events'), may('audit', 'write', 'amq.default'), may('audit', 'write', 'bank.events')]).toEqual([
      true,
      true,
      false,
    ]);
    expect(
      ['analytics.events', 'audit.eventsx', 'xaudit.events'].map((q) => may('audit', 'read', q) || may('audit', 'configure', q)),
    ).toEqual([false, false, false]);
    // The operator: reads subscriber queues, republishes (default or events exchange), configures nothing.
    expect([
      may('operator', 'read', 'audit.events.dlq'),
      may('operator', 'write', 'amq.default'),
      may('operator', 'write', 'bank.events'),
      may('operator', 'configure', 'audit.events'),
      may('operator', 'configure', 'bank.events'),
    ]).toEqual([true, true, true, false, false]);
  });
});

describe('scramVerifier', () => {
  it("matches Postgres' own SCRAM-SHA-256 verifier for the same password and salt", async () => {
    const client = new pg.Client({ connectionString: DATABASE_ADMIN_URL });
    await client.connect();
    const name = `scram_probe_${process.pid}`;
    try {
      await client.query(`SET password_encryption = 'scram-sha-256'`);
      await client.query(`CREATE ROLE ${name} PASSWORD 'pencil-Ω 1'`);
      const { rows } = await client.query<{ rolpassword: string }>('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [name]);
      const stored = rows[0].rolpassword;
      const [, iterations, salt] = /^SCRAM-SHA-256\$(\d+):([^$]+)\$/.exec(stored)!;
      expect(scramVerifier('pencil-Ω 1', Buffer.from(salt, 'base64'), Number(iterations))).toBe(stored);
    } finally {
      await client.query(`DROP ROLE IF EXISTS ${name}`);
      await client.end();
    }
  });
});
