import { BankClient } from '../support/bank-client.js';
import { eventually } from '@bank/testing';
import { startTestSystem, type TestSystem } from '../support/test-system.js';
import { expectConsistent, FAST_RECOVERY_ENV, queueDepths, vhostOf } from './support/consistency.js';
import { duplicatesSeen, publishCopies, publishedEvents } from './support/duplicates.js';
import { fundedParticipants, TransferLoad, type Participant } from './support/transfer-load.js';

/**
 * At-least-once delivery means duplicates: copies of already delivered events, with the same
 * messageId, published straight to RabbitMQ in the run's vhost while transfers run. Every
 * subscriber must apply each event exactly once.
 */
describe('faults: duplicate event deliveries', () => {
  let system: TestSystem;
  let people: Participant[];
  const SUBSCRIBERS = ['audit', 'analytics', 'notifications'];

  beforeAll(async () => {
    system = await startTestSystem({ env: FAST_RECOVERY_ENV });
    people = await fundedParticipants(new BankClient(system), 5, 1_000_000);
    // A refused transfer too, so transfer.failed is among the copies.
    const poor = await new BankClient(system).login();
    const account = (await new BankClient(system).openAccount(poor.token)).id;
    await new BankClient(system)
      .transfer(poor.token, { fromAccountId: account, toAccountId: people[0].account, amount: 5, currency: 'EUR' })
      .expect(422);
    await eventually(
      () => system.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit.records WHERE type = 'transfer.failed'`),
      (r) => r.rows[0].n === 1,
    );
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  const drained = async () => {
    const depths = await queueDepths(vhostOf(system));
    return Object.entries(depths).filter(([name, n]) => !name.endsWith('.dlq') && n > 0);
  };

  it('every event delivered twice more while transfers run: each applied once', async () => {
    const load = new TransferLoad(system, people, { workers: 3 }).start();
    let sent = 0;
    let auditDuplicatesBefore = 0;
    try {
      await load.waitForAnswers(10);
      // Only events already applied by audit, so each copy is sure to be a duplicate there.
      const events = await publishedEvents(system, { auditedOnly: true });
      expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['deposit.completed', 'transfer.completed', 'transfer.failed']));
      auditDuplicatesBefore = await duplicatesSeen(system, 'audit');
      sent = await publishCopies(system, events, { copies: 2 });
      await load.waitForAnswers(10);
    } finally {
      await load.stop();
    }
    // audit takes every event type: each copy must be counted there as a duplicate.
    await eventually(
      () => duplicatesSeen(system, 'audit'),
      (n) => n - auditDuplicatesBefore >= sent,
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    await eventually(drained, (busy) => busy.length === 0, { timeoutMs: 60_000, intervalMs: 500 });
    load.report(expect.getState().currentTestName ?? '');
    await expectConsistent(system, load);
  }, 180_000);

  it('copies that reach a subscriber together (one batch) after it was down: applied once', async () => {
    const load = new TransferLoad(system, people, { workers: 2 }).start();
    let sent = 0;
    try {
      await load.waitForAnswers(5);
      for (const app of SUBSCRIBERS) await system.sys.kill(app);
      const events = await publishedEvents(system);
      // Three copies of each event back to back: they wait in each queue and arrive in one prefetch.
      sent = await publishCopies(system, events, { copies: 3, together: true });
      for (const app of SUBSCRIBERS) await system.sys.start(app);
      await load.waitForAnswers(5);
    } finally {
      await load.stop();
    }
    expect(sent).toBeGreaterThan(0);
    // After the restart every copy is a duplicate (the originals were applied before), plus the originals
    // that were unacked at the kill.
    await eventually(
      () => duplicatesSeen(system, 'audit'),
      (n) => n >= sent,
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    await eventually(drained, (busy) => busy.length === 0, { timeoutMs: 60_000, intervalMs: 500 });
    load.report(expect.getState().currentTestName ?? '');
    await expectConsistent(system, load);
    for (const app of ['analytics', 'notifications']) expect(await duplicatesSeen(system, app)).toBeGreaterThan(0);
  }, 180_000);
});
