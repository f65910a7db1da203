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
    },
  ) {
    const current = this.rows.get(row.id)!;
    if (owner !== SAGA_OWNER || current.status !== 'PENDING') return Promise.resolve(null);
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
    const retried = { ...current, attempts: current.attempts + 1 };
    this.rows.set(row.id, retried);
    return Promise.resolve(retried);
  }
}

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
    expect(trail(done)).toEqual(['RESERVE_FUNDS:SUCCEEDED', 'POST_LEDGER:STARTED', 'POST_LEDGER:SUCCEEDED', 'COMMIT_FUNDS:STARTED', 'COMMIT_FUNDS:SUCCEEDED']);
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
