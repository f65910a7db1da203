import { BankClient } from '../support/bank-client.js';
import { eventually } from '@bank/testing';
import { startTestSystem, type TestSystem } from '../support/test-system.js';
import { expectConsistent, FAST_RECOVERY_ENV, queueDepths, vhostOf } from './support/consistency.js';
import { fundedParticipants, TransferLoad, type Participant } from './support/transfer-load.js';

/**
 * Jepsen-style crashes of the event subscribers: kill -9 one while transfers run (likely in the
 * middle of a batch: unacked messages come back), let events pile up in its queue, start it
 * again, and check that it applied every event exactly once.
 */
describe('faults: kill -9 and restart of notifications, audit, analytics under load', () => {
  let system: TestSystem;
  let people: Participant[];

  beforeAll(async () => {
    system = await startTestSystem({ env: FAST_RECOVERY_ENV });
    people = await fundedParticipants(new BankClient(system), 6, 1_000_000);
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  it.each(['notifications', 'audit', 'analytics'])(
    'kill -9 %s mid-load and restart it: every event applied exactly once',
    async (app) => {
      const load = new TransferLoad(system, people, { workers: 4 }).start();
      try {
        await load.waitForAnswers(10);
        await system.sys.kill(app);
        // Events keep coming while it is down, and wait in its queue.
        await load.waitForAnswers(15);
        await eventually(
          () => queueDepths(vhostOf(system)),
          (q) => (q[`${app}.events`] ?? 0) > 0,
          { timeoutMs: 20_000, intervalMs: 500 },
        );
        await system.sys.start(app);
        await load.waitForAnswers(10);
      } finally {
        await load.stop();
      }
      load.report(expect.getState().currentTestName ?? '');
      await expectConsistent(system, load);
    },
    180_000,
  );
});
