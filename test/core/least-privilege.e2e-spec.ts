import { connect } from 'amqplib';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createEnvelope, EventTypes } from '@bank/contracts';
import { APPS } from '../../scripts/lib/system.mjs';
import { brokerApps, managementApi, vhostOf } from '../../scripts/lib/provision.mjs';
import { BankClient } from '../support/bank-client.js';
import { eventually } from '@bank/testing';
import { RABBITMQ_ADMIN_URL, startTestSystem, type TestSystem } from '../support/test-system.js';

interface Session {
  usename: string;
  superuser: boolean;
  owns: boolean;
  member: boolean;
}

/**
 * Postgres' answer to `sql`: 'done', or 'refused' when it is a matter of rights (not, say, the
 * trail's own append-only trigger, which answers the same SQLSTATE), or the error.
 */
async function attempt(client: pg.Client, sql: string): Promise<string> {
  try {
    await client.query(sql);
    return 'done';
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    return code === '42501' && /^(permission denied|must be owner)/.test(message) ? 'refused' : `${code}: ${message}`;
  }
}

/**
 * Least privilege in the data plane (issue 13, items 6 and 7), on the running system: each app's
 * sessions are its own unprivileged role, audit's role cannot rewrite or unguard the trail, no app
 * is guest on the broker, and an event published by anyone but its producer is parked, not applied.
 */
describe('least privilege: Postgres roles and broker users (real apps)', () => {
  let system: TestSystem;
  let bank: BankClient;
  let alice: { token: string };
  let account: string;

  beforeAll(async () => {
    system = await startTestSystem();
    bank = new BankClient(system);
    alice = await bank.login();
    account = (await bank.openAccount(alice.token)).id;
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  it('connects every app to Postgres as its own role: no superuser, no owner, no member of another role', async () => {
    // Work for every app, so each has its sessions open (pools close idle ones after a while).
    await bank.deposit(alice.token, account, 1_000);
    const sessions = await eventually(
      async () =>
        (
          await system.db.query<Session>(
            `SELECT DISTINCT a.usename, r.rolsuper AS superuser,
                    EXISTS (SELECT 1 FROM pg_class c WHERE c.relowner = r.oid)
                      OR EXISTS (SELECT 1 FROM pg_namespace n WHERE n.nspowner = r.oid)
                      OR EXISTS (SELECT 1 FROM pg_proc p WHERE p.proowner = r.oid) AS owns,
                    EXISTS (SELECT 1 FROM pg_auth_members m WHERE m.member = r.oid) AS member
               FROM pg_stat_activity a JOIN pg_roles r ON r.rolname = a.usename
              WHERE a.datname = current_database() AND a.usename LIKE $1 || '%'
              ORDER BY a.usename`,
            [system.prefix],
          )
        ).rows,
      (rows) => rows.length === APPS.length,
    );
    expect(sessions).toEqual(
      [...APPS].sort().map((app) => ({ usename: `${system.prefix}${app}`, superuser: false, owns: false, member: false })),
    );
    // Nobody but this test's own admin pool is anything else.
    const { rows: others } = await system.db.query<{ usename: string }>(
      `SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = current_database() AND usename NOT LIKE $1 || '%'`,
      [system.prefix],
    );
    expect(others.map((o) => o.usename)).toEqual(['postgres']);
  });

  it("gives audit's role INSERT and SELECT on its trail, and nothing that could rewrite or unguard it", async () => {
    const audit = new pg.Client({ connectionString: system.credentials.apps.audit.DATABASE_URL });
    await audit.connect();
    try {
      expect(await attempt(audit, 'SELECT count(*) FROM audit.records')).toBe('done');
      expect(await attempt(audit, 'SELECT count(*) FROM audit.checkpoints')).toBe('done');
      expect({
        update: await attempt(audit, `UPDATE audit.records SET type = 'x'`),
        delete: await attempt(audit, 'DELETE FROM audit.records'),
        truncate: await attempt(audit, 'TRUNCATE audit.records'),
        replicationRole: await attempt(audit, 'SET session_replication_role = replica'),
        disableTriggers: await attempt(audit, 'ALTER TABLE audit.records DISABLE TRIGGER ALL'),
        dropTrigger: await attempt(audit, 'DROP TRIGGER records_no_update_delete ON audit.records'),
        inboxDelete: await attempt(audit, 'DELETE FROM audit.inbox'),
        inboxUpdate: await attempt(audit, 'UPDATE audit.inbox SET attempts = attempts'),
        // Where an event it failed on sits is bookkeeping, not the trail: audit changes and prunes it, nothing more.
        failuresUpdate: await attempt(audit, `UPDATE audit.inbox_failures SET state = state`),
        failuresDelete: await attempt(audit, 'DELETE FROM audit.inbox_failures WHERE false'),
        failuresTruncate: await attempt(audit, 'TRUNCATE audit.inbox_failures'),
        // The signed checkpoints anchor the trail: audit adds them, never rewrites or removes one.
        checkpointUpdate: await attempt(audit, `UPDATE audit.checkpoints SET seq = seq`),
        checkpointDelete: await attempt(audit, 'DELETE FROM audit.checkpoints'),
        checkpointTruncate: await attempt(audit, 'TRUNCATE audit.checkpoints'),
        otherSchema: await attempt(audit, 'SELECT count(*) FROM ledger.entries'),
        becomeOwner: await attempt(audit, `SET ROLE ${system.prefix}audit_owner`),
      }).toEqual({
        update: 'refused',
        delete: 'refused',
        truncate: 'refused',
        replicationRole: 'refused',
        disableTriggers: 'refused',
        dropTrigger: 'refused',
        inboxDelete: 'refused',
        inboxUpdate: 'refused',
        failuresUpdate: 'done',
        failuresDelete: 'done',
        failuresTruncate: 'refused',
        checkpointUpdate: 'refused',
        checkpointDelete: 'refused',
        checkpointTruncate: 'refused',
        otherSchema: 'refused',
        becomeOwner: 'refused',
      });
    } finally {
      await audit.end();
    }
    const { rows } = await system.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit.records');
    expect(rows[0].n).toBeGreaterThan(0);
  });

  it('connects every broker app to RabbitMQ as its own user, none as guest', async () => {
    const api = managementApi(RABBITMQ_ADMIN_URL);
    const vhost = encodeURIComponent(vhostOf(system.operatorAmqpUrl));
    const users = await eventually(
      async () => [...new Set(((await api('GET', `/vhosts/${vhost}/connections`)) as { user: string }[]).map((c) => c.user))].sort(),
      (found) => found.length >= brokerApps(APPS).length,
    );
    expect(users).toEqual(
      brokerApps(APPS)
        .map((app) => `${system.prefix}${app}`)
        .sort(),
    );
  });

  it('parks, and never applies, a transfer.completed that the orchestrator did not publish', async () => {
    const analyticsUser = `${system.prefix}analytics`;
    const forged = createEnvelope(
      EventTypes.TransferCompleted,
      {
        transferId: randomUUID(),
        fromAccountId: randomUUID(),
        toAccountId: randomUUID(),
        fromCustomerId: randomUUID(),
        toCustomerId: randomUUID(),
        amount: 1_000_000,
        currency: 'EUR',
        reference: 'forged',
      },
      { correlationId: randomUUID() },
    );
    const body = Buffer.from(JSON.stringify(forged));
    const operator = await connect(system.operatorAmqpUrl);
    const analytics = await connect(system.credentials.apps.analytics.AMQP_URL!);
    operator.on('error', () => undefined);
    analytics.on('error', () => undefined);
    try {
      const inspect = await operator.createChannel();
      const parked = async () => (await inspect.checkQueue('audit.events.dlq')).messageCount;
      const before = await parked();

      // A subscriber may not publish to the events exchange at all...
      const toExchange = await analytics.createConfirmChannel();
      toExchange.on('error', () => undefined);
      const refused = await new Promise<string>((resolve) => {
        toExchange.once('close', () => resolve('closed'));
        toExchange.publish('bank.events', forged.type, body, { messageId: forged.id, userId: analyticsUser }, (error: unknown) =>
          resolve(error ? 'nacked' : 'confirmed'),
        );
      });
      expect(refused).not.toBe('confirmed');
      // ...nor stamp the orchestrator's name on a message (the broker checks user_id)...
      const spoof = await analytics.createConfirmChannel();
      spoof.on('error', () => undefined);
      const spoofed = await new Promise<string>((resolve) => {
        spoof.once('close', () => resolve('closed'));
        spoof.sendToQueue('audit.events', body, { messageId: forged.id, userId: `${system.prefix}orchestrator` }, (error: unknown) =>
          resolve(error ? 'nacked' : 'confirmed'),
        );
      });
      expect(spoofed).not.toBe('confirmed');
      // ...and what it slips into audit's queue under its own name is parked with the reason.
      const sneak = await analytics.createConfirmChannel();
      await new Promise<void>((resolve, reject) =>
        sneak.sendToQueue(
          'audit.events',
          body,
          { messageId: forged.id, userId: analyticsUser, contentType: 'application/json' },
          (error: unknown) => (error ? reject(error instanceof Error ? error : new Error('nacked')) : resolve()),
        ),
      );
      await eventually(parked, (n) => n === before + 1);
      const message = await inspect.get('audit.events.dlq', { noAck: false });
      expect(message && message.properties.messageId).toBe(forged.id);
      expect(message && message.properties.headers?.['x-parked-reason']).toBe(
        `untrusted publisher: transfer.completed must come from ${system.prefix}orchestrator, not ${analyticsUser}`,
      );
      if (message) inspect.nack(message, false, true);
      const { rows } = await system.db.query('SELECT 1 FROM audit.records WHERE event_id = $1', [forged.id]);
      expect(rows).toEqual([]);
      const { body: trail } = await system.http('audit').get(`/audit/events?transferId=${forged.data.transferId}`).expect(200);
      expect(trail).toEqual([]);
    } finally {
      await analytics.close().catch(() => undefined);
      await operator.close().catch(() => undefined);
    }
  });
});
