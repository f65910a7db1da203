import { AccountsPatterns, DomainError, LedgerPatterns } from '@bank/contracts';
import type { RpcClient } from '@bank/common';
import type { DepositRepository } from '../deposits/deposit.repository.js';
import type { DepositRow } from '../deposits/deposit.row.js';
import { DepositSaga } from './deposit.saga.js';
import type { SagaSettings } from './saga.settings.js';

/** An in-memory stand-in for the deposits table: what the saga wrote, in order. */
class InMemoryDeposits {
  writes: string[] = [];
  events: string[] = [];

  moveTo(row: DepositRow, _owner: string, _lease: number, step: DepositRow['step'], events: { type: string }[] = []) {
    this.writes.push(`move ${step}`);
    this.events.push(...events.map((e) => e.type));
    return Promise.resolve({ ...row, step, status: step === 'DONE' ? 'COMPLETED' : 'PENDING', version: row.version + 1 } as DepositRow);
  }

  fail(row: DepositRow, _owner: string, code: string) {
    this.writes.push(`fail ${code}`);
    return Promise.resolve({ ...row, step: 'DONE', status: 'FAILED', failure_code: code } as DepositRow);
  }

  scheduleRetry(row: DepositRow) {
    this.writes.push('retry');
    return Promise.resolve({ ...row, attempts: row.attempts + 1 });
  }
}

/** Answers each pattern with a reply or throws the DomainError given for it. */
function rpc(answers: Record<string, unknown>): RpcClient & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    send: (pattern: string) => {
      calls.push(pattern);
      const answer = answers[pattern];
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  } as unknown as RpcClient & { calls: string[] };
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
    const saga = new DepositSaga(deposits as unknown as DepositRepository, rpc({}), rpc({}), settings);
    const done = await saga.drive(row('POST_LEDGER'));
    expect(done.status).toBe('COMPLETED');
    expect(deposits.writes).toEqual(['move CREDIT_ACCOUNT', 'move DONE']);
    expect(deposits.events).toEqual(['deposit.completed']);
  });

  it('ends FAILED with the code when the ledger refuses the booking (the cap), never crediting and publishing nothing', async () => {
    const deposits = new InMemoryDeposits();
    const accounts = rpc({});
    const ledger = rpc({ [LedgerPatterns.PostDeposit]: new DomainError('BALANCE_LIMIT_EXCEEDED') });
    const done = await new DepositSaga(deposits as unknown as DepositRepository, accounts, ledger, settings).drive(row('POST_LEDGER'));
    expect(done).toMatchObject({ status: 'FAILED', failure_code: 'BALANCE_LIMIT_EXCEEDED' });
    expect(deposits.writes).toEqual(['fail BALANCE_LIMIT_EXCEEDED']);
    expect(accounts.calls).toEqual([]);
    expect(deposits.events).toEqual([]);
  });

  it('retries a transient failure of the booking instead of failing', async () => {
    const deposits = new InMemoryDeposits();
    const ledger = rpc({ [LedgerPatterns.PostDeposit]: new DomainError('DEPENDENCY_TIMEOUT') });
    const done = await new DepositSaga(deposits as unknown as DepositRepository, rpc({}), ledger, settings).drive(row('POST_LEDGER'));
    expect(done.status).toBe('PENDING');
    expect(deposits.writes).toEqual(['retry']);
  });

  it('once booked, never fails: a refused credit (the account briefly fuller than the ledger) is retried', async () => {
    const deposits = new InMemoryDeposits();
    const accounts = rpc({ [AccountsPatterns.CreditDeposit]: new DomainError('BALANCE_LIMIT_EXCEEDED') });
    const done = await new DepositSaga(deposits as unknown as DepositRepository, accounts, rpc({}), settings).drive(row('CREDIT_ACCOUNT'));
    expect(done.status).toBe('PENDING');
    expect(deposits.writes).toEqual(['retry']);
  });
});
