import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { EventBus } from '@nestjs/cqrs';
import { AccountsPatterns, DomainError, LedgerPatterns } from '@bank/contracts';
import { RequestContext, type RpcClient } from '@bank/common';
import type { DepositRepository } from '../deposits/deposit.repository.js';
import type { DepositRow } from '../deposits/deposit.row.js';
import { DepositSaga } from './deposit.saga.js';
import { SAGA_OWNER } from './saga-owner.js';
import { SagaStepRanEvent } from './saga.events.js';
import type { SagaSettings } from './saga.settings.js';

/** An in-memory stand-in for the deposits table: what the saga wrote, in order. */
class InMemoryDeposits {
  writes: string[] = [];
  events: string[] = [];
  /** What each scheduled retry was asked for. */
  retries: { owner: string; delayMs: number; error: string }[] = [];

  moveTo(row: DepositRow, _owner: string, _lease: number, step: DepositRow['step'], events: { type: string }[] = []) {
    this.writes.push(`move ${step}`);
    this.events.push(...events.map((e) => e.type));
    return Promise.resolve({ ...row, step, status: step === 'DONE' ? 'COMPLETED' : 'PENDING', version: row.version + 1 } as DepositRow);
  }

  fail(row: DepositRow, _owner: string, code: string) {
    this.writes.push(`fail ${code}`);
    return Promise.resolve({ ...row, step: 'DONE', status: 'FAILED', failure_code: code } as DepositRow);
  }

  scheduleRetry(row: DepositRow, owner: string, delayMs: number, error: string) {
    this.writes.push('retry');
    this.retries.push({ owner, delayMs, error });
    return Promise.resolve({ ...row, attempts: row.attempts + 1 });
  }
}

/** Answers each pattern with a reply or throws the DomainError given for it. */
function rpc(
  answers: Record<string, unknown>,
): RpcClient & { calls: string[]; sent: { pattern: string; payload: unknown; correlationId?: string }[] } {
  const calls: string[] = [];
  const sent: { pattern: string; payload: unknown; correlationId?: string }[] = [];
  return {
    calls,
    sent,
    send: (pattern: string, payload: unknown) => {
      calls.push(pattern);
      sent.push({ pattern, payload, correlationId: RequestContext.correlationId() });
      const answer = answers[pattern];
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  } as unknown as RpcClient & { calls: string[]; sent: { pattern: string; payload: unknown; correlationId?: string }[] };
}

/** The saga's bus: what it reported for metrics. */
function bus(): EventBus & { published: unknown[] } {
  const published: unknown[] = [];
  return { published, publish: (event: unknown) => void published.push(event) } as unknown as EventBus & { published: unknown[] };
}

const settings: SagaSettings = { leaseMs: 1_000, stepBudgetMs: 1_000, maxBackoffMs: 100, syncWaitMs: 1_000, recoveryIntervalMs: 1_000 };

const row = (step: DepositRow['step']): DepositRow => ({
  id: 'd1',
  customer_id: 'c1',
  idempotency_key: 'k',
  request_hash: 'h',
  account_id: 'a1',
  amount: '100',
  currency: 'EUR',
  status: 'PENDING',
  step,
  failure_code: null,
  attempts: 0,
  version: 1,
  responded: false,
  correlation_id: 'corr',
  created_at: new Date(),
  completed_at: null,
});

describe('DepositSaga', () => {
  it('books, credits, and completes with deposit.completed', async () => {
    const deposits = new InMemoryDeposits();
    const saga = new DepositSaga(deposits as unknown as DepositRepository, rpc({}), rpc({}), settings, bus());
    const done = await saga.drive(row('POST_LEDGER'));
    expect(done.status).toBe('COMPLETED');
    expect(deposits.writes).toEqual(['move CREDIT_ACCOUNT', 'move DONE']);
    expect(deposits.events).toEqual(['deposit.completed']);
  });

  it('ends FAILED with the code when the ledger refuses the booking (the cap), never crediting and publishing nothing', async () => {
    const deposits = new InMemoryDeposits();
    const accounts = rpc({});
    const ledger = rpc({ [LedgerPatterns.PostDeposit]: new DomainError('BALANCE_LIMIT_EXCEEDED') });
    const done = await new DepositSaga(deposits as unknown as DepositRepository, accounts, ledger, settings, bus()).drive(
      row('POST_LEDGER'),
    );
    expect(done).toMatchObject({ status: 'FAILED', failure_code: 'BALANCE_LIMIT_EXCEEDED' });
    expect(deposits.writes).toEqual(['fail BALANCE_LIMIT_EXCEEDED']);
    expect(accounts.calls).toEqual([]);
    expect(deposits.events).toEqual([]);
  });

  it('retries a transient failure of the booking instead of failing', async () => {
    const deposits = new InMemoryDeposits();
    const ledger = rpc({ [LedgerPatterns.PostDeposit]: new DomainError('DEPENDENCY_TIMEOUT') });
    const done = await new DepositSaga(deposits as unknown as DepositRepository, rpc({}), ledger, settings, bus()).drive(
      row('POST_LEDGER'),
    );
    expect(done.status).toBe('PENDING');
    expect(deposits.writes).toEqual(['retry']);
  });

  it('once booked, never fails: a refused credit (the account briefly fuller than the ledger) is retried', async () => {
    const deposits = new InMemoryDeposits();
    const accounts = rpc({ [AccountsPatterns.CreditDeposit]: new DomainError('BALANCE_LIMIT_EXCEEDED') });
    const done = await new DepositSaga(deposits as unknown as DepositRepository, accounts, rpc({}), settings, bus()).drive(
      row('CREDIT_ACCOUNT'),
    );
    expect(done.status).toBe('PENDING');
    expect(deposits.writes).toEqual(['retry']);
  });
});

/** Every step x every outcome, and the one write the saga makes next (the same table as the transfer saga's). */
describe('DepositSaga: the next write for each step and outcome', () => {
  type Step = Exclude<DepositRow['step'], 'DONE'>;
  type Outcome = 'succeeded' | 'refused' | 'transient';
  const patternOf: Record<Step, { rpc: 'accounts' | 'ledger'; pattern: string }> = {
    POST_LEDGER: { rpc: 'ledger', pattern: LedgerPatterns.PostDeposit },
    CREDIT_ACCOUNT: { rpc: 'accounts', pattern: AccountsPatterns.CreditDeposit },
  };
  const table: [Step, Outcome, string, string, number | 'backoff'][] = [
    ['POST_LEDGER', 'succeeded', 'move CREDIT_ACCOUNT', 'succeeded', 0],
    // The booking was refused: nothing booked, the deposit fails with the code.
    ['POST_LEDGER', 'refused', 'fail BALANCE_LIMIT_EXCEEDED', 'refused', 0],
    ['POST_LEDGER', 'transient', 'retry', 'retrying', 'backoff'],
    ['CREDIT_ACCOUNT', 'succeeded', 'move DONE', 'succeeded', 0],
    // Booked: never failed, retried at the longest backoff.
    ['CREDIT_ACCOUNT', 'refused', 'retry', 'refused', settings.maxBackoffMs],
    ['CREDIT_ACCOUNT', 'transient', 'retry', 'retrying', 'backoff'],
  ];

  it.each(table)('%s %s: %s, reported %s', async (step, outcome, write, reported, delayMs) => {
    const { rpc: target, pattern } = patternOf[step];
    const answer = outcome === 'succeeded' ? {} : new DomainError(outcome === 'refused' ? 'BALANCE_LIMIT_EXCEEDED' : 'DEPENDENCY_TIMEOUT');
    const accounts = rpc(target === 'accounts' ? { [pattern]: answer } : {});
    const ledger = rpc(target === 'ledger' ? { [pattern]: answer } : {});
    const deposits = new InMemoryDeposits();
    const events = bus();
    await new DepositSaga(deposits as unknown as DepositRepository, accounts, ledger, settings, events).drive(row(step));

    expect(deposits.writes[0]).toBe(write);
    expect((target === 'accounts' ? accounts : ledger).calls[0]).toBe(pattern);
    const first = events.published[0] as SagaStepRanEvent;
    expect(first).toBeInstanceOf(SagaStepRanEvent);
    expect({ saga: first.saga, step: first.step, outcome: first.outcome }).toEqual({ saga: 'deposit', step, outcome: reported });
    if (delayMs === 'backoff') {
      // The first retry: 100 ms, less at most a quarter of jitter.
      expect(deposits.retries[0].delayMs).toBeGreaterThanOrEqual(75);
      expect(deposits.retries[0].delayMs).toBeLessThanOrEqual(100);
    } else if (delayMs > 0) {
      expect(deposits.retries[0]).toEqual({ owner: SAGA_OWNER, delayMs, error: 'Balance limit exceeded' });
    }
  });
});

describe('DepositSaga: what it sends and reports', () => {
  afterEach(() => jest.restoreAllMocks());

  it("sends each service the deposit, under the deposit's correlation id", async () => {
    const accounts = rpc({});
    const ledger = rpc({});
    await new DepositSaga(new InMemoryDeposits() as unknown as DepositRepository, accounts, ledger, settings, bus()).drive(
      row('POST_LEDGER'),
    );
    const payload = { depositId: 'd1', accountId: 'a1', amount: 100, currency: 'EUR' };
    expect(ledger.sent).toEqual([{ pattern: LedgerPatterns.PostDeposit, payload, correlationId: 'corr' }]);
    expect(accounts.sent).toEqual([{ pattern: AccountsPatterns.CreditDeposit, payload, correlationId: 'corr' }]);
  });

  it('reports every step it ran on the bus (saga_step_duration_seconds)', async () => {
    const events = bus();
    await new DepositSaga(new InMemoryDeposits() as unknown as DepositRepository, rpc({}), rpc({}), settings, events).drive(
      row('POST_LEDGER'),
    );
    const steps = events.published as SagaStepRanEvent[];
    expect(steps.map((e) => `${e.saga} ${e.step} ${e.outcome}`)).toEqual([
      'deposit POST_LEDGER succeeded',
      'deposit CREDIT_ACCOUNT succeeded',
    ]);
    for (const e of steps) expect(e.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('logs a refusal and a retry with their errorCode, a refused booked credit at error level', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const accounts = rpc({ [AccountsPatterns.CreditDeposit]: new DomainError('BALANCE_LIMIT_EXCEEDED') });
    const ledger = rpc({ [LedgerPatterns.PostDeposit]: new DomainError('DEPENDENCY_TIMEOUT') });
    const saga = new DepositSaga(new InMemoryDeposits() as unknown as DepositRepository, accounts, ledger, settings, bus());
    await saga.drive(row('POST_LEDGER'));
    await saga.drive(row('CREDIT_ACCOUNT'));
    const codes = (spy: typeof warn) => spy.mock.calls.map(([entry]) => entry as { depositId?: string; errorCode?: string });
    expect(codes(warn)).toEqual([
      expect.objectContaining({ depositId: 'd1', step: 'POST_LEDGER', errorCode: 'DEPENDENCY_TIMEOUT' }),
      expect.objectContaining({ depositId: 'd1', step: 'CREDIT_ACCOUNT', errorCode: 'BALANCE_LIMIT_EXCEEDED' }),
    ]);
    expect(codes(error)).toEqual([expect.objectContaining({ depositId: 'd1', errorCode: 'BALANCE_LIMIT_EXCEEDED' })]);
  });

  it('stops when another replica holds the lease, and forgets what it drove', async () => {
    const deposits = new InMemoryDeposits();
    deposits.moveTo = () => Promise.resolve(null as unknown as DepositRow);
    const accounts = rpc({});
    const saga = new DepositSaga(deposits as unknown as DepositRepository, accounts, rpc({}), settings, bus());
    const result = await saga.drive(row('POST_LEDGER'));
    expect(result).toMatchObject({ status: 'PENDING', step: 'POST_LEDGER' });
    expect(accounts.calls).toEqual([]);
    expect(saga.driving()).toEqual([]);
  });
});
