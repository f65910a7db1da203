import { EventBus } from '@nestjs/cqrs';
import { AccountsPatterns, DomainError, LedgerPatterns, type ErrorCode } from '@bank/contracts';
import type { RpcClient } from '@bank/common';
import type { TransferRepository } from '../transfers/transfer.repository.js';
import type { StepRecord, TransferRow } from '../transfers/transfer.row.js';
import { SAGA_OWNER } from './saga-owner.js';
import type { SagaSettings } from './saga.settings.js';
import { TransferSaga } from './transfer.saga.js';

/** An in-memory stand-in for the saga's table, honouring the lease like the SQL does. */
class InMemoryTransfers {
  rows = new Map<string, TransferRow>();
  events: { id: string; type: string }[] = [];
  /** Every state write in order: what the saga decided, step by step. */
  writes: Transition[] = [];

  moveTo(
    row: TransferRow,
    owner: string,
    _lease: number,
    next: {
      step: TransferRow['step'];
      status?: TransferRow['status'];
      records: StepRecord[];
      toCustomerId?: string;
      failureCode?: string;
      events?: { id: string; type: string }[];
      finalEventId?: string;
      durable?: boolean;
    },
  ) {
    const current = this.rows.get(row.id)!;
    if (owner !== SAGA_OWNER || current.status !== 'PENDING') return Promise.resolve(null);
    this.writes.push({
      step: next.step,
      status: next.status ?? 'PENDING',
      records: next.records.map((r) => `${r.name}:${r.status}${r.code ? `:${r.code}` : ''}`),
      failureCode: next.failureCode ?? null,
      events: (next.events ?? []).map((e) => e.type),
      durable: next.durable !== false,
    });
    const moved: TransferRow = {
      ...current,
      step: next.step,
      status: next.status ?? 'PENDING',
      steps: [...current.steps, ...next.records],
      to_customer_id: next.toCustomerId ?? current.to_customer_id,
      failure_code: next.failureCode ?? current.failure_code,
      final_event_id: next.finalEventId ?? current.final_event_id,
      attempts: 0,
      step_started_at: new Date(),
    };
    this.rows.set(row.id, moved);
    this.events.push(...(next.events ?? []));
    return Promise.resolve(moved);
  }

  scheduleRetry(row: TransferRow) {
    const current = this.rows.get(row.id)!;
    this.writes.push({ retry: true });
    const retried = { ...current, attempts: current.attempts + 1 };
    this.rows.set(row.id, retried);
    return Promise.resolve(retried);
  }
}

/** One write of the saga's row: a move (next step or final state), or a retry of the same step. */
type Transition =
  | {
      step: TransferRow['step'];
      status: TransferRow['status'];
      records: string[];
      failureCode: string | null;
      events: string[];
      durable: boolean;
    }
  | { retry: true };

/** A reply, or the DomainError the service answers with. */
type Reply = unknown;

/** Scripted replies per pattern, in order; the last one repeats. */
class ScriptedRpc {
  calls: string[] = [];
  constructor(private readonly script: Record<string, Reply[]>) {}
  send(pattern: string): Promise<unknown> {
    this.calls.push(pattern);
    const replies = this.script[pattern] ?? [{}];
    const reply = replies.length > 1 ? replies.shift() : replies[0];
    return reply instanceof DomainError ? Promise.reject(reply) : Promise.resolve(reply);
  }
}

const settings: SagaSettings = { leaseMs: 1_000, stepBudgetMs: 60_000, maxBackoffMs: 10, syncWaitMs: 1_000, recoveryIntervalMs: 1_000 };
const refuse = (code: ErrorCode) => new DomainError(code);
const down = () => new DomainError('SERVICE_UNAVAILABLE');

function newRow(): TransferRow {
  return {
    id: 'f3f1a9f2-3a52-4c3e-9d0c-2a7a8d1c0001',
    customer_id: 'c1',
    idempotency_key: 'k',
    request_hash: 'h',
    from_account_id: 'a1',
    to_account_id: 'a2',
    to_customer_id: null,
    amount: '500',
    currency: 'EUR',
    reference: null,
    status: 'PENDING',
    step: 'RESERVE_FUNDS',
    failure_code: null,
    steps: [],
    step_started_at: new Date(),
    attempts: 0,
    version: 0,
    responded: false,
    correlation_id: 'corr',
    created_at: new Date(),
    completed_at: null,
    final_event_id: null,
  };
}

function setUp(accountsScript: Record<string, Reply[]>, ledgerScript: Record<string, Reply[]>, overrides: Partial<SagaSettings> = {}) {
  const repo = new InMemoryTransfers();
  const accounts = new ScriptedRpc(accountsScript);
  const ledger = new ScriptedRpc(ledgerScript);
  const bus = { publish: () => undefined } as unknown as EventBus;
  const saga = new TransferSaga(
    repo as unknown as TransferRepository,
    accounts as unknown as RpcClient,
    ledger as unknown as RpcClient,
    { ...settings, ...overrides },
    bus,
  );
  const row = newRow();
  repo.rows.set(row.id, row);
  return { repo, accounts, ledger, saga, row };
}

const trail = (row: TransferRow) => row.steps.map((s) => `${s.name}:${s.status}`);

describe('TransferSaga', () => {
  it('runs reserve -> ledger -> commit and completes with a transfer.completed event', async () => {
    const { saga, row, repo, accounts, ledger } = setUp({ [AccountsPatterns.ReserveFunds]: [{ toCustomerId: 'c2' }] }, {});
    const done = await saga.drive(row);
    expect(done.status).toBe('COMPLETED');
    expect(done.to_customer_id).toBe('c2');
    expect(accounts.calls).toEqual([AccountsPatterns.ReserveFunds, AccountsPatterns.CommitFunds]);
    expect(ledger.calls).toEqual([LedgerPatterns.PostTransfer]);
    expect(trail(done)).toEqual([
      'RESERVE_FUNDS:SUCCEEDED',
      'POST_LEDGER:STARTED',
      'POST_LEDGER:SUCCEEDED',
      'COMMIT_FUNDS:STARTED',
      'COMMIT_FUNDS:SUCCEEDED',
    ]);
    expect(repo.events.map((e) => e.type)).toEqual(['transfer.completed']);
    // The timeline asks the subscribers' inboxes about exactly this event.
    expect(done.final_event_id).toBe(repo.events[0].id);
  });

  it('fails when the reserve is refused, releasing first in case an earlier attempt still lands', async () => {
    const { saga, row, repo, accounts, ledger } = setUp({ [AccountsPatterns.ReserveFunds]: [refuse('INSUFFICIENT_FUNDS')] }, {});
    const done = await saga.drive(row);
    expect(done).toMatchObject({ status: 'FAILED', failure_code: 'INSUFFICIENT_FUNDS' });
    expect(ledger.calls).toEqual([]);
    expect(accounts.calls).toEqual([AccountsPatterns.ReserveFunds, AccountsPatterns.ReleaseFunds]);
    expect(repo.events.map((e) => e.type)).toEqual(['transfer.failed']);
    expect(done.final_event_id).toBe(repo.events[0].id);
  });

  it('reverses the ledger and releases the hold when the ledger refuses', async () => {
    const { saga, row, accounts, ledger } = setUp({}, { [LedgerPatterns.PostTransfer]: [refuse('POSTING_VOIDED')] });
    const done = await saga.drive(row);
    expect(done).toMatchObject({ status: 'FAILED', failure_code: 'POSTING_VOIDED' });
    expect(ledger.calls).toEqual([LedgerPatterns.PostTransfer, LedgerPatterns.ReverseTransfer]);
    expect(accounts.calls).toEqual([AccountsPatterns.ReserveFunds, AccountsPatterns.ReleaseFunds]);
    expect(trail(done)).toEqual(expect.arrayContaining(['POST_LEDGER:FAILED', 'REVERSE_LEDGER:SUCCEEDED', 'RELEASE_FUNDS:SUCCEEDED']));
  });

  it('schedules a retry (and stops driving) on a transient failure within the budget', async () => {
    const { saga, row } = setUp({}, { [LedgerPatterns.PostTransfer]: [down()] });
    const waiting = await saga.drive(row);
    expect(waiting).toMatchObject({ status: 'PENDING', step: 'POST_LEDGER', attempts: 1 });
  });

  it('gives up a forward step after its budget and compensates', async () => {
    const { saga, row, repo } = setUp({}, { [LedgerPatterns.PostTransfer]: [down()] }, { stepBudgetMs: 0 });
    repo.rows.set(row.id, { ...row, step: 'POST_LEDGER', step_started_at: new Date(Date.now() - 10) });
    const done = await saga.drive(repo.rows.get(row.id)!);
    expect(done).toMatchObject({ status: 'FAILED', failure_code: 'SERVICE_UNAVAILABLE' });
    expect(trail(done)).toEqual(expect.arrayContaining(['REVERSE_LEDGER:SUCCEEDED', 'RELEASE_FUNDS:SUCCEEDED']));
  });

  it('never gives up the commit (the entry is booked): it keeps retrying', async () => {
    const { saga, row, repo } = setUp({ [AccountsPatterns.CommitFunds]: [down()] }, {}, { stepBudgetMs: 0 });
    repo.rows.set(row.id, { ...row, step: 'COMMIT_FUNDS', step_started_at: new Date(Date.now() - 10_000) });
    const waiting = await saga.drive(repo.rows.get(row.id)!);
    expect(waiting).toMatchObject({ status: 'PENDING', step: 'COMMIT_FUNDS', attempts: 1 });
  });

  it('leaves NEEDS_ATTENTION when a compensation is refused', async () => {
    const { saga, row, repo } = setUp({ [AccountsPatterns.ReleaseFunds]: [refuse('INVALID_STATE')] }, {});
    repo.rows.set(row.id, { ...row, step: 'RELEASE_FUNDS', failure_code: 'DEPENDENCY_TIMEOUT' });
    const done = await saga.drive(repo.rows.get(row.id)!);
    expect(done.status).toBe('NEEDS_ATTENTION');
    expect(repo.events).toEqual([]);
    expect(done.final_event_id).toBeNull();
  });

  it('stops when another replica holds the lease', async () => {
    const { saga, row, repo, ledger } = setUp({}, {});
    repo.moveTo = () => Promise.resolve(null);
    const result = await saga.drive(row);
    expect(result.status).toBe('PENDING');
    expect(ledger.calls).toEqual([]);
  });
});

/**
 * Every step x every outcome, and the one write the saga makes next. A wrong branch here (a refused
 * commit released without reversing the ledger, a compensation given up on) leaves money booked on
 * one side only, and no end-to-end run is sure to walk into it; this table walks into all of them.
 */
describe('TransferSaga: the next write for each step and outcome', () => {
  type Step = Exclude<TransferRow['step'], 'DONE'>;
  type Outcome = 'succeeded' | 'refused' | 'transient' | 'transient past budget';

  const patternOf: Record<Step, { rpc: 'accounts' | 'ledger'; pattern: string }> = {
    RESERVE_FUNDS: { rpc: 'accounts', pattern: AccountsPatterns.ReserveFunds },
    POST_LEDGER: { rpc: 'ledger', pattern: LedgerPatterns.PostTransfer },
    COMMIT_FUNDS: { rpc: 'accounts', pattern: AccountsPatterns.CommitFunds },
    REVERSE_LEDGER: { rpc: 'ledger', pattern: LedgerPatterns.ReverseTransfer },
    RELEASE_FUNDS: { rpc: 'accounts', pattern: AccountsPatterns.ReleaseFunds },
  };

  /** The failure that started a compensation, already on the row when a compensating step runs. */
  const EARLIER = 'DEPENDENCY_TIMEOUT';
  const REFUSAL = 'INVALID_STATE';
  const retry = { retry: true } as const;
  const move = (step: Step, records: string[], failureCode: string | null, durable: boolean): Transition => ({
    step,
    status: 'PENDING',
    records,
    failureCode,
    events: [],
    durable,
  });
  const done = (status: TransferRow['status'], records: string[], failureCode: string | null, events: string[]): Transition => ({
    step: 'DONE',
    status,
    records,
    failureCode,
    events,
    durable: true,
  });
  const compensate = (failed: Step, first: 'REVERSE_LEDGER' | 'RELEASE_FUNDS', code: string) =>
    move(first, [`${failed}:FAILED:${code}`, `${first}:STARTED`], code, true);

  const table: [Step, Outcome, Transition][] = [
    ['RESERVE_FUNDS', 'succeeded', move('POST_LEDGER', ['RESERVE_FUNDS:SUCCEEDED', 'POST_LEDGER:STARTED'], null, false)],
    // A refused reserve held nothing, but an earlier attempt that timed out may still land.
    ['RESERVE_FUNDS', 'refused', compensate('RESERVE_FUNDS', 'RELEASE_FUNDS', REFUSAL)],
    ['RESERVE_FUNDS', 'transient', retry],
    ['RESERVE_FUNDS', 'transient past budget', compensate('RESERVE_FUNDS', 'RELEASE_FUNDS', 'SERVICE_UNAVAILABLE')],

    ['POST_LEDGER', 'succeeded', move('COMMIT_FUNDS', ['POST_LEDGER:SUCCEEDED', 'COMMIT_FUNDS:STARTED'], null, false)],
    ['POST_LEDGER', 'refused', compensate('POST_LEDGER', 'REVERSE_LEDGER', REFUSAL)],
    ['POST_LEDGER', 'transient', retry],
    ['POST_LEDGER', 'transient past budget', compensate('POST_LEDGER', 'REVERSE_LEDGER', 'SERVICE_UNAVAILABLE')],

    ['COMMIT_FUNDS', 'succeeded', done('COMPLETED', ['COMMIT_FUNDS:SUCCEEDED'], null, ['transfer.completed'])],
    // The entry is booked: it must be reversed before the hold is released.
    ['COMMIT_FUNDS', 'refused', compensate('COMMIT_FUNDS', 'REVERSE_LEDGER', REFUSAL)],
    ['COMMIT_FUNDS', 'transient', retry],
    // Never given up: going forward is the way out once the entry is booked.
    ['COMMIT_FUNDS', 'transient past budget', retry],

    ['REVERSE_LEDGER', 'succeeded', move('RELEASE_FUNDS', ['REVERSE_LEDGER:SUCCEEDED', 'RELEASE_FUNDS:STARTED'], null, true)],
    ['REVERSE_LEDGER', 'refused', done('NEEDS_ATTENTION', [`REVERSE_LEDGER:FAILED:${REFUSAL}`], EARLIER, [])],
    // Compensations are retried until they succeed.
    ['REVERSE_LEDGER', 'transient', retry],
    ['REVERSE_LEDGER', 'transient past budget', retry],

    ['RELEASE_FUNDS', 'succeeded', done('FAILED', ['RELEASE_FUNDS:SUCCEEDED'], EARLIER, ['transfer.failed'])],
    ['RELEASE_FUNDS', 'refused', done('NEEDS_ATTENTION', [`RELEASE_FUNDS:FAILED:${REFUSAL}`], EARLIER, [])],
    ['RELEASE_FUNDS', 'transient', retry],
    ['RELEASE_FUNDS', 'transient past budget', retry],
  ];

  function reply(step: Step, outcome: Outcome): Reply {
    if (outcome === 'refused') return refuse(REFUSAL);
    if (outcome !== 'succeeded') return down();
    return step === 'RESERVE_FUNDS' ? { toCustomerId: 'c2' } : {};
  }

  it.each(table)('%s %s', async (step, outcome, expected) => {
    const { rpc, pattern } = patternOf[step];
    const script = { [pattern]: [reply(step, outcome)] };
    const pastBudget = outcome === 'transient past budget';
    const { saga, row, repo, accounts, ledger } = setUp(rpc === 'accounts' ? script : {}, rpc === 'ledger' ? script : {}, {
      stepBudgetMs: pastBudget ? 0 : 60_000,
    });
    const compensating = step === 'REVERSE_LEDGER' || step === 'RELEASE_FUNDS';
    const start: TransferRow = {
      ...row,
      step,
      failure_code: compensating ? EARLIER : null,
      to_customer_id: step === 'RESERVE_FUNDS' ? null : 'c2',
      step_started_at: new Date(Date.now() - (pastBudget ? 10_000 : 0)),
    };
    repo.rows.set(row.id, start);

    await saga.drive(start);

    expect(repo.writes[0]).toEqual(expected);
    // The step asked its own service before anything else.
    expect((rpc === 'accounts' ? accounts : ledger).calls[0]).toBe(pattern);
  });

  it.each([
    ['RESERVE_FUNDS', [AccountsPatterns.ReserveFunds, AccountsPatterns.ReleaseFunds], []],
    [
      'POST_LEDGER',
      [AccountsPatterns.ReserveFunds, AccountsPatterns.ReleaseFunds],
      [LedgerPatterns.PostTransfer, LedgerPatterns.ReverseTransfer],
    ],
    [
      'COMMIT_FUNDS',
      [AccountsPatterns.ReserveFunds, AccountsPatterns.CommitFunds, AccountsPatterns.ReleaseFunds],
      [LedgerPatterns.PostTransfer, LedgerPatterns.ReverseTransfer],
    ],
  ] as [Step, string[], string[]][])(
    'a refused %s is compensated in order to FAILED: the ledger reversed before the hold is released',
    async (step, accountsCalls, ledgerCalls) => {
      const { rpc, pattern } = patternOf[step];
      const script = { [pattern]: [refuse('INSUFFICIENT_FUNDS')] };
      const accountsScript = { [AccountsPatterns.ReserveFunds]: [{ toCustomerId: 'c2' }], ...(rpc === 'accounts' ? script : {}) };
      const { saga, row, repo, accounts, ledger } = setUp(accountsScript, rpc === 'ledger' ? script : {});

      const finished = await saga.drive(row);

      expect(finished).toMatchObject({ status: 'FAILED', step: 'DONE', failure_code: 'INSUFFICIENT_FUNDS' });
      expect(accounts.calls).toEqual(accountsCalls);
      expect(ledger.calls).toEqual(ledgerCalls);
      expect(repo.events.map((e) => e.type)).toEqual(['transfer.failed']);
      const compensations = trail(finished).filter((s) => s.startsWith('REVERSE_LEDGER') || s.startsWith('RELEASE_FUNDS'));
      expect(compensations).toEqual([
        ...(step === 'RESERVE_FUNDS' ? [] : ['REVERSE_LEDGER:STARTED', 'REVERSE_LEDGER:SUCCEEDED']),
        'RELEASE_FUNDS:STARTED',
        'RELEASE_FUNDS:SUCCEEDED',
      ]);
    },
  );
});
