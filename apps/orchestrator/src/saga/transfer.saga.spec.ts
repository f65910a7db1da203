import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { AccountsPatterns, DomainError, LedgerPatterns, type ErrorCode } from '@bank/contracts';
import { RequestContext, type RpcClient } from '@bank/common';
import type { TransferRepository } from '../transfers/transfer.repository.js';
import type { StepRecord, TransferRow } from '../transfers/transfer.row.js';
import { SAGA_OWNER } from './saga-owner.js';
import { SagaStepRanEvent, TransferFinishedEvent } from './saga.events.js';
import type { SagaSettings } from './saga.settings.js';
import { TransferSaga } from './transfer.saga.js';

/** An in-memory stand-in for the saga's table, honouring the lease like the SQL does. */
class InMemoryTransfers {
  rows = new Map<string, TransferRow>();
  events: { id: string; type: string; correlationId?: string; data?: unknown }[] = [];
  /** Every state write in order: what the saga decided, step by step. */
  writes: Transition[] = [];
  /** What each scheduled retry was asked for. */
  retries: { owner: string; delayMs: number; error: string }[] = [];

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

  scheduleRetry(row: TransferRow, owner: string, delayMs: number, error: string) {
    const current = this.rows.get(row.id)!;
    this.writes.push({ retry: true });
    this.retries.push({ owner, delayMs, error });
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

/** A reply, the DomainError the service answers with, or anything else the call throws (a `Thrown`). */
type Reply = unknown;
class Thrown {
  constructor(readonly error: unknown) {}
}

/** Scripted replies per pattern, in order; the last one repeats. */
class ScriptedRpc {
  calls: string[] = [];
  /** Each call with its payload and the correlation id it ran under. */
  sent: { pattern: string; payload: unknown; correlationId: string | undefined }[] = [];
  constructor(private readonly script: Record<string, Reply[]>) {}
  send(pattern: string, payload?: unknown): Promise<unknown> {
    this.calls.push(pattern);
    this.sent.push({ pattern, payload, correlationId: RequestContext.correlationId() });
    const replies = this.script[pattern] ?? [{}];
    const reply = replies.length > 1 ? replies.shift() : replies[0];
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a call may fail with anything, not only an Error
    if (reply instanceof Thrown) return Promise.reject(reply.error);
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
  const published: unknown[] = [];
  const bus = { publish: (event: unknown) => void published.push(event) } as unknown as EventBus;
  const saga = new TransferSaga(
    repo as unknown as TransferRepository,
    accounts as unknown as RpcClient,
    ledger as unknown as RpcClient,
    { ...settings, ...overrides },
    bus,
  );
  const row = newRow();
  repo.rows.set(row.id, row);
  return { repo, accounts, ledger, saga, row, published };
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

/** What the saga tells others besides its writes: the calls' payloads, the final events, the bus, the retries. */
describe('TransferSaga: what it sends and reports', () => {
  afterEach(() => jest.restoreAllMocks());

  const at =
    (step: TransferRow['step'], patch: Partial<TransferRow> = {}) =>
    (row: TransferRow) => ({ ...row, step, ...patch });
  /** The saga's bus events, readable; durations are checked on their own. */
  const described = (published: unknown[]) =>
    published.map((e) =>
      e instanceof SagaStepRanEvent
        ? `${e.saga} ${e.step} ${e.outcome}`
        : e instanceof TransferFinishedEvent
          ? `finished ${e.transferId} ${e.status} ${e.failureCode}`
          : 'unknown',
    );
  const durations = (published: unknown[]) => published.map((e) => (e as { durationMs: number }).durationMs);

  it("sends each service what its step needs, under the transfer's correlation id", async () => {
    const { saga, row, accounts, ledger } = setUp(
      { [AccountsPatterns.ReserveFunds]: [{ toCustomerId: 'c2' }], [AccountsPatterns.CommitFunds]: [refuse('INVALID_STATE')] },
      {},
    );
    await saga.drive(row);
    const transferId = row.id;
    const money = { fromAccountId: 'a1', toAccountId: 'a2', amount: 500, currency: 'EUR' };
    expect(accounts.sent).toEqual([
      { pattern: AccountsPatterns.ReserveFunds, payload: { transferId, customerId: 'c1', ...money }, correlationId: 'corr' },
      { pattern: AccountsPatterns.CommitFunds, payload: { transferId }, correlationId: 'corr' },
      { pattern: AccountsPatterns.ReleaseFunds, payload: { transferId }, correlationId: 'corr' },
    ]);
    expect(ledger.sent).toEqual([
      { pattern: LedgerPatterns.PostTransfer, payload: { transferId, ...money }, correlationId: 'corr' },
      { pattern: LedgerPatterns.ReverseTransfer, payload: { transferId }, correlationId: 'corr' },
    ]);
  });

  it('writes the whole transfer into transfer.completed and transfer.failed', async () => {
    const base = {
      transferId: 'f3f1a9f2-3a52-4c3e-9d0c-2a7a8d1c0001',
      fromAccountId: 'a1',
      toAccountId: 'a2',
      fromCustomerId: 'c1',
      amount: 500,
      currency: 'EUR',
    };

    const completed = setUp({ [AccountsPatterns.ReserveFunds]: [{ toCustomerId: 'c2' }] }, {});
    completed.repo.rows.set(completed.row.id, { ...completed.row, reference: 'rent' });
    await completed.saga.drive(completed.repo.rows.get(completed.row.id)!);
    expect(completed.repo.events).toHaveLength(1);
    expect(completed.repo.events[0]).toMatchObject({ type: 'transfer.completed', correlationId: 'corr' });
    expect(completed.repo.events[0].data).toEqual({ ...base, toCustomerId: 'c2', reference: 'rent' });

    const failed = setUp({ [AccountsPatterns.ReserveFunds]: [refuse('INSUFFICIENT_FUNDS')] }, {});
    await failed.saga.drive(failed.row);
    expect(failed.repo.events).toHaveLength(1);
    expect(failed.repo.events[0]).toMatchObject({ type: 'transfer.failed', correlationId: 'corr' });
    expect(failed.repo.events[0].data).toEqual({ ...base, failureCode: 'INSUFFICIENT_FUNDS' });
  });

  it('still writes a well-formed final event from a row missing the destination customer or the failure code', async () => {
    const completed = setUp({}, {});
    const atCommit = at('COMMIT_FUNDS', { to_customer_id: null })(completed.row);
    completed.repo.rows.set(atCommit.id, atCommit);
    await completed.saga.drive(atCommit);
    expect(completed.repo.events[0].data).toMatchObject({ toCustomerId: '' });

    const failed = setUp({}, {});
    const atRelease = at('RELEASE_FUNDS', { failure_code: null })(failed.row);
    failed.repo.rows.set(atRelease.id, atRelease);
    await failed.saga.drive(atRelease);
    expect(failed.repo.events[0].data).toMatchObject({ failureCode: 'UNKNOWN' });
  });

  it('reports every step it ran and how the transfer finished on the event bus (metrics)', async () => {
    const id = newRow().id;
    const cases: [string, ReturnType<typeof setUp>, (row: TransferRow) => TransferRow, string[]][] = [
      [
        'completed',
        setUp({ [AccountsPatterns.ReserveFunds]: [{ toCustomerId: 'c2' }] }, {}),
        (row) => row,
        [
          'transfer RESERVE_FUNDS succeeded',
          'transfer POST_LEDGER succeeded',
          'transfer COMMIT_FUNDS succeeded',
          `finished ${id} COMPLETED null`,
        ],
      ],
      [
        'refused',
        setUp({ [AccountsPatterns.ReserveFunds]: [refuse('INSUFFICIENT_FUNDS')] }, {}),
        (row) => row,
        ['transfer RESERVE_FUNDS refused', 'transfer RELEASE_FUNDS succeeded', `finished ${id} FAILED INSUFFICIENT_FUNDS`],
      ],
      ['retrying', setUp({}, { [LedgerPatterns.PostTransfer]: [down()] }), at('POST_LEDGER'), ['transfer POST_LEDGER retrying']],
      [
        'given up',
        setUp({}, { [LedgerPatterns.PostTransfer]: [down()] }, { stepBudgetMs: 0 }),
        at('POST_LEDGER', { step_started_at: new Date(Date.now() - 10) }),
        [
          'transfer POST_LEDGER gave_up',
          'transfer REVERSE_LEDGER succeeded',
          'transfer RELEASE_FUNDS succeeded',
          `finished ${id} FAILED SERVICE_UNAVAILABLE`,
        ],
      ],
      [
        'needs attention',
        setUp({ [AccountsPatterns.ReleaseFunds]: [refuse('INVALID_STATE')] }, {}),
        at('RELEASE_FUNDS', { failure_code: 'DEPENDENCY_TIMEOUT' }),
        ['transfer RELEASE_FUNDS refused', `finished ${id} NEEDS_ATTENTION DEPENDENCY_TIMEOUT`],
      ],
    ];
    for (const [name, { saga, row, repo, published }, start, expected] of cases) {
      const first = start(row);
      repo.rows.set(first.id, first);
      await saga.drive(first);
      expect({ name, events: described(published) }).toEqual({ name, events: expected });
      for (const ms of durations(published)) {
        expect(ms).toBeGreaterThanOrEqual(0);
        expect(ms).toBeLessThan(60_000);
      }
    }
  });

  it('reports no finished transfer when it lost the lease before the final write', async () => {
    const { saga, row, repo, published } = setUp({}, {});
    const moveTo = repo.moveTo.bind(repo);
    repo.moveTo = (r, owner, lease, next) => (next.step === 'DONE' ? Promise.resolve(null) : moveTo(r, owner, lease, next));
    const result = await saga.drive(row);
    expect(result).toMatchObject({ status: 'PENDING', step: 'COMMIT_FUNDS' });
    expect(published.some((e) => e instanceof TransferFinishedEvent)).toBe(false);
  });

  it('logs a transfer left NEEDS_ATTENTION at error level (the line an operator must not miss), others at log level', async () => {
    const error = jest.spyOn(Logger.prototype, 'error');
    const log = jest.spyOn(Logger.prototype, 'log');
    const finished = (spy: typeof error) => spy.mock.calls.map(([entry]) => (entry as { status?: string }).status).filter(Boolean);

    const stuck = setUp({ [AccountsPatterns.ReleaseFunds]: [refuse('INVALID_STATE')] }, {});
    const atRelease = at('RELEASE_FUNDS', { failure_code: 'DEPENDENCY_TIMEOUT' })(stuck.row);
    stuck.repo.rows.set(atRelease.id, atRelease);
    await stuck.saga.drive(atRelease);
    const completed = setUp({}, {});
    await completed.saga.drive(completed.row);

    expect(finished(error)).toEqual(['NEEDS_ATTENTION']);
    expect(finished(log)).toEqual(['COMPLETED']);
  });

  it('schedules a retry with the backoff of its attempt and the error it met', async () => {
    const cases: [Reply, string][] = [
      [down(), down().message],
      [new Thrown(new Error('socket hang up')), 'socket hang up'],
      [new Thrown('connection reset'), 'connection reset'],
    ];
    for (const [failure, message] of cases) {
      const { saga, row, repo } = setUp({}, { [LedgerPatterns.PostTransfer]: [failure] }, { maxBackoffMs: 60_000 });
      // The fourth attempt: 800 ms, less at most a quarter of jitter.
      const start = at('POST_LEDGER', { attempts: 3 })(row);
      repo.rows.set(start.id, start);
      const waiting = await saga.drive(start);
      expect(waiting).toMatchObject({ step: 'POST_LEDGER', attempts: 4 });
      expect(repo.retries).toEqual([{ owner: SAGA_OWNER, delayMs: expect.any(Number), error: message }]);
      expect(repo.retries[0].delayMs).toBeGreaterThanOrEqual(600);
      expect(repo.retries[0].delayMs).toBeLessThanOrEqual(800);
    }
  });

  it('gives up with INTERNAL on something other than a service error (a socket that broke) past the budget', async () => {
    const { saga, row, repo } = setUp(
      {},
      { [LedgerPatterns.PostTransfer]: [new Thrown(new Error('socket hang up'))] },
      { stepBudgetMs: 0 },
    );
    const start = at('POST_LEDGER', { step_started_at: new Date(Date.now() - 10) })(row);
    repo.rows.set(start.id, start);
    await saga.drive(start);
    expect(repo.writes[0]).toMatchObject({
      step: 'REVERSE_LEDGER',
      records: ['POST_LEDGER:FAILED:INTERNAL', 'REVERSE_LEDGER:STARTED'],
      failureCode: 'INTERNAL',
    });
  });

  it('gives a forward step exactly its budget: still retried at the budget, given up one millisecond past it', async () => {
    const now = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(now);
    for (const [spentMs, next] of [
      [60_000, { retry: true }],
      [60_001, { step: 'REVERSE_LEDGER', failureCode: 'SERVICE_UNAVAILABLE' }],
    ] as const) {
      const { saga, row, repo } = setUp({}, { [LedgerPatterns.PostTransfer]: [down()] }, { stepBudgetMs: 60_000 });
      const start = at('POST_LEDGER', { step_started_at: new Date(now - spentMs) })(row);
      repo.rows.set(start.id, start);
      await saga.drive(start);
      expect({ spentMs, write: repo.writes[0] }).toMatchObject({ spentMs, write: next });
    }
  });

  it('lists the transfers it is driving while it drives them, and forgets them after, even when a step throws', async () => {
    const { saga, row, accounts } = setUp({}, {});
    const seen: string[][] = [];
    const send = accounts.send.bind(accounts);
    accounts.send = (pattern, payload) => {
      seen.push(saga.driving());
      return send(pattern, payload);
    };
    await saga.drive(row);
    expect(seen[0]).toEqual([row.id]);
    expect(saga.driving()).toEqual([]);

    await expect(saga.drive(at('DONE')(row))).rejects.toThrow(`Transfer ${row.id} is PENDING at DONE`);
    expect(saga.driving()).toEqual([]);
  });
});
