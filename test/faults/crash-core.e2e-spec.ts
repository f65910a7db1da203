import { BankClient } from '../support/bank-client.js';
import { eventually } from '@bank/testing';
import { startTestSystem, type TestSystem } from '../support/test-system.js';
import { expectConsistent, FAST_RECOVERY_ENV } from './support/consistency.js';
import { fundedParticipants, TransferLoad, type Participant } from './support/transfer-load.js';

/**
 * Jepsen-style crashes of the services on the money path: while transfers run, kill -9 one
 * service, let clients feel it, start it again, and check that every transfer ends, the money is
 * conserved, each transfer took effect exactly once, and every event reached every subscriber.
 */
describe('faults: kill -9 and restart of orchestrator, accounts, ledger under load', () => {
  let system: TestSystem;
  let people: Participant[];

  beforeAll(async () => {
    system = await startTestSystem({ env: FAST_RECOVERY_ENV });
    people = await fundedParticipants(new BankClient(system), 6, 1_000_000);
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  const unfinishedWithError = async () =>
    Number(
      (
        await system.db.query<{ n: string }>(
          `SELECT count(*) AS n FROM orchestrator.transfers WHERE status = 'PENDING' AND last_error IS NOT NULL`,
        )
      ).rows[0].n,
    );

  it.each(['orchestrator', 'accounts', 'ledger'])(
    'kill -9 %s mid-load and restart it: every transfer ends once, nothing lost, invariants hold',
    async (app) => {
      const load = new TransferLoad(system, people, { workers: 4 }).start();
      try {
        await load.waitForAnswers(10);
        await system.sys.kill(app);
        // The crash is felt before the restart: clients lose the edge, or sagas stall on the dead service.
        if (app === 'orchestrator') await load.waitForTransient(3);
        else await eventually(unfinishedWithError, (n) => n > 0, { timeoutMs: 20_000 });
        await system.sys.start(app);
        await load.waitForAnswers(10);
      } finally {
        await load.stop();
      }
      expect(load.answered).toBeGreaterThanOrEqual(20);
      load.report(expect.getState().currentTestName ?? '');
      await expectConsistent(system, load);
    },
    180_000,
  );
});
