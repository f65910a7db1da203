import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import {
  AccountsPatterns,
  createEnvelope,
  DomainError,
  EventTypes,
  LedgerPatterns,
  type CommitFundsReply,
  type PostingReply,
  type ReleaseFundsReply,
  type ReserveFundsReply,
} from '@bank/contracts';
import { context, trace } from '@opentelemetry/api';
import { extractTraceContext, inSpan, isTracing, isTransient, RequestContext, RpcClient } from '@bank/common';
import { stepRecord as record, TransferRepository } from '../transfers/transfer.repository.js';
import type { StepRecord, TransferRow, TransferStatus, TransferStep } from '../transfers/transfer.row.js';
import { SagaStepRanEvent, TransferFinishedEvent } from './saga.events.js';
import { SAGA_OWNER } from './saga-owner.js';
import { ACCOUNTS_RPC, backoffMs, LEDGER_RPC, SAGA_SETTINGS, type SagaSettings } from './saga.settings.js';

/** What the saga does with a step's outcome. Each handler persists the next state before returning it. */
interface StepPlan<T> {
  call: () => Promise<T>;
  onSuccess: (reply: T) => Promise<TransferRow | null>;
  /** The service said no (a business error): never retried. */
  onRefusal: (code: string) => Promise<TransferRow | null>;
  /** Forward steps only: transient failures for longer than the step budget. Absent = retry forever. */
  onGiveUp?: (code: string) => Promise<TransferRow | null>;
}

/**
 * The transfer saga, orchestrated. Forward: RESERVE_FUNDS (a hold on the source) -> POST_LEDGER
 * (the balanced double entry) -> COMMIT_FUNDS (capture the hold, credit the destination).
 * Compensation, for anything failing after the reserve: REVERSE_LEDGER (a reversing entry, or a
 * VOID marker when nothing was booked) -> RELEASE_FUNDS (give the hold back; after a refused
 * reserve too, since a timed-out earlier attempt may still land). Compensations are
 * retried until they succeed; one that the service refuses leaves the transfer NEEDS_ATTENTION.
 *
 * Every step is idempotent by transfer id in its service, so running one twice (a retry, a crash
 * between the call and the state write, a second replica after a lease ran out) changes nothing.
 * The row records the next step before it runs; the lease makes one replica drive it at a time.
 */
@Injectable()
export class TransferSaga {
  private readonly logger = new Logger(TransferSaga.name);
  /** Sagas this process is driving now: the recovery worker leaves them alone. */
  private readonly active = new Set<string>();

  constructor(
    private readonly transfers: TransferRepository,
    @Inject(ACCOUNTS_RPC) private readonly accounts: RpcClient,
    @Inject(LEDGER_RPC) private readonly ledger: RpcClient,
    @Inject(SAGA_SETTINGS) private readonly settings: SagaSettings,
    private readonly events: EventBus,
  ) {}

  /** Runs the saga from the step its row names until it finishes, waits for a retry, or loses its lease. */
  driving(): string[] {
    return [...this.active];
  }

  async drive(start: TransferRow): Promise<TransferRow> {
    this.active.add(start.id);
    try {
      return await this.driveSteps(start);
    } finally {
      this.active.delete(start.id);
    }
  }

  /**
   * Within the request that started it, the saga runs in that request's span. Resumed later (a retry
   * due, a crashed owner's saga) it runs in a span of its own in the starting request's trace, kept
   * on the row: one trace per transfer, however many times it was picked up.
   */
  private driveSteps(start: TransferRow): Promise<TransferRow> {
    if (isTracing() && !trace.getSpan(context.active()) && start.trace_context) {
      return inSpan(
        'transfer saga resume',
        { attributes: { 'bank.transfer_id': start.id, 'bank.saga_step': start.step, 'bank.attempts': start.attempts } },
        () => this.runSteps(start),
        extractTraceContext(start.trace_context),
      );
    }
    return this.runSteps(start);
  }

  private runSteps(start: TransferRow): Promise<TransferRow> {
    return RequestContext.run({ correlationId: start.correlation_id }, async () => {
      let row = start;
      while (row.status === 'PENDING') {
        const next = await this.runStep(row);
        if (!next) break; // lease lost: another replica drives it now
        const waiting = next.status === 'PENDING' && next.step === row.step && next.attempts > row.attempts;
        row = next;
        if (waiting) break; // a retry is scheduled; the recovery worker picks it up when due
      }
      return row;
    });
  }

  private runStep(t: TransferRow): Promise<TransferRow | null> {
    const ids = { transferId: t.id };
    switch (t.step) {
      case 'RESERVE_FUNDS':
        return this.attempt(t, {
          call: () =>
            this.accounts.send<ReserveFundsReply>(AccountsPatterns.ReserveFunds, {
              ...ids,
              customerId: t.customer_id,
              fromAccountId: t.from_account_id,
              toAccountId: t.to_account_id,
              amount: Number(t.amount),
              currency: t.currency,
            }),
          onSuccess: (reply) =>
            this.move(t, 'POST_LEDGER', [record('RESERVE_FUNDS', 'SUCCEEDED'), record('POST_LEDGER', 'STARTED')], {
              toCustomerId: reply.toCustomerId,
            }),
          // The refusing attempt held nothing, but an earlier attempt that timed out may still land
          // and hold the money: release (or tombstone) to be sure before the transfer fails.
          onRefusal: (code) => this.compensate(t, 'RESERVE_FUNDS', 'RELEASE_FUNDS', code),
          // Whether a timed-out reserve took a hold is unknown: release (or tombstone) to be sure.
          onGiveUp: (code) => this.compensate(t, 'RESERVE_FUNDS', 'RELEASE_FUNDS', code),
        });

      case 'POST_LEDGER':
        return this.attempt(t, {
          call: () =>
            this.ledger.send<PostingReply>(LedgerPatterns.PostTransfer, {
              ...ids,
              fromAccountId: t.from_account_id,
              toAccountId: t.to_account_id,
              amount: Number(t.amount),
              currency: t.currency,
            }),
          onSuccess: () => this.move(t, 'COMMIT_FUNDS', [record('POST_LEDGER', 'SUCCEEDED'), record('COMMIT_FUNDS', 'STARTED')]),
          onRefusal: (code) => this.compensate(t, 'POST_LEDGER', 'REVERSE_LEDGER', code),
          onGiveUp: (code) => this.compensate(t, 'POST_LEDGER', 'REVERSE_LEDGER', code),
        });

      case 'COMMIT_FUNDS':
        // No give-up: the entry is booked and the hold is ours, so going forward is the way out.
        return this.attempt(t, {
          call: () => this.accounts.send<CommitFundsReply>(AccountsPatterns.CommitFunds, ids),
          onSuccess: () => this.finish(t, 'COMPLETED', [record('COMMIT_FUNDS', 'SUCCEEDED')]),
          onRefusal: (code) => this.compensate(t, 'COMMIT_FUNDS', 'REVERSE_LEDGER', code),
        });

      case 'REVERSE_LEDGER':
        return this.attempt(t, {
          call: () => this.ledger.send<PostingReply>(LedgerPatterns.ReverseTransfer, ids),
          onSuccess: () => this.move(t, 'RELEASE_FUNDS', [record('REVERSE_LEDGER', 'SUCCEEDED'), record('RELEASE_FUNDS', 'STARTED')]),
          onRefusal: (code) => this.finish(t, 'NEEDS_ATTENTION', [record('REVERSE_LEDGER', 'FAILED', code)]),
        });

      case 'RELEASE_FUNDS':
        return this.attempt(t, {
          call: () => this.accounts.send<ReleaseFundsReply>(AccountsPatterns.ReleaseFunds, ids),
          onSuccess: () => this.finish(t, 'FAILED', [record('RELEASE_FUNDS', 'SUCCEEDED')]),
          onRefusal: (code) => this.finish(t, 'NEEDS_ATTENTION', [record('RELEASE_FUNDS', 'FAILED', code)]),
        });

      case 'DONE':
        throw new Error(`Transfer ${t.id} is PENDING at DONE`);
    }
  }

  /** Calls a step; a business refusal and a transient failure go different ways. */
  private async attempt<T>(t: TransferRow, plan: StepPlan<T>): Promise<TransferRow | null> {
    const started = Date.now();
    const step = t.step;
    let reply: T;
    try {
      reply = await plan.call();
    } catch (error) {
      const code = error instanceof DomainError ? error.code : 'INTERNAL';
      if (!isTransient(error)) {
        this.logger.warn({ msg: 'step refused', transferId: t.id, step, errorCode: code });
        this.ran(step, 'refused', started);
        return plan.onRefusal(code);
      }
      const spentMs = Date.now() - t.step_started_at.getTime();
      if (plan.onGiveUp && spentMs > this.settings.stepBudgetMs) {
        this.logger.warn({ msg: 'step gave up, compensating', transferId: t.id, step, errorCode: code, spentMs });
        this.ran(step, 'gave_up', started);
        return plan.onGiveUp(code);
      }
      const delay = backoffMs(t.attempts, this.settings.maxBackoffMs);
      this.logger.warn({ msg: 'step failed, retry scheduled', transferId: t.id, step, errorCode: code, attempt: t.attempts + 1, delayMs: delay });
      this.ran(step, 'retrying', started);
      const retried = await this.transfers.scheduleRetry(t, SAGA_OWNER, delay, error instanceof Error ? error.message : String(error));
      return retried;
    }
    this.ran(step, 'succeeded', started);
    return plan.onSuccess(reply);
  }

  /**
   * Records progress before the next step. Forward steps are not flushed to disk on their own (one
   * fsync saved per step): losing one in a database crash only replays an idempotent step.
   * Compensation decisions and final states are always flushed.
   */
  private move(t: TransferRow, step: TransferStep, records: StepRecord[], patch: { toCustomerId?: string } = {}): Promise<TransferRow | null> {
    const forward = step === 'POST_LEDGER' || step === 'COMMIT_FUNDS';
    return this.transfers.moveTo(t, SAGA_OWNER, this.settings.leaseMs, { step, records, ...patch, durable: !forward });
  }

  /** Starts compensating from `failedStep`; the failure code is what the client will see. */
  private compensate(t: TransferRow, failedStep: StepRecord['name'], first: 'REVERSE_LEDGER' | 'RELEASE_FUNDS', code: string): Promise<TransferRow | null> {
    return this.transfers.moveTo(t, SAGA_OWNER, this.settings.leaseMs, {
      step: first,
      records: [record(failedStep, 'FAILED', code), record(first, 'STARTED')],
      failureCode: code,
    });
  }

  /** Final state, with its event in the outbox in the same statement. */
  private async finish(t: TransferRow, status: Exclude<TransferStatus, 'PENDING'>, records: StepRecord[], failureCode?: string): Promise<TransferRow | null> {
    const code = failureCode ?? t.failure_code ?? undefined;
    const base = { transferId: t.id, fromAccountId: t.from_account_id, toAccountId: t.to_account_id, fromCustomerId: t.customer_id, amount: Number(t.amount), currency: t.currency };
    const meta = { correlationId: t.correlation_id };
    const events =
      status === 'COMPLETED'
        ? [createEnvelope(EventTypes.TransferCompleted, { ...base, toCustomerId: t.to_customer_id ?? '', reference: t.reference }, meta)]
        : status === 'FAILED'
          ? [createEnvelope(EventTypes.TransferFailed, { ...base, failureCode: code ?? 'UNKNOWN' }, meta)]
          : [];
    const row = await this.transfers.moveTo(t, SAGA_OWNER, this.settings.leaseMs, {
      step: 'DONE',
      status,
      records,
      ...(code ? { failureCode: code } : {}),
      events,
      ...(events[0] ? { finalEventId: events[0].id } : {}),
    });
    if (row) {
      const level = status === 'NEEDS_ATTENTION' ? 'error' : 'log';
      this.logger[level]({ msg: 'transfer finished', transferId: t.id, status, ...(code ? { errorCode: code } : {}) });
      this.events.publish(new TransferFinishedEvent(t.id, status, code ?? null, Date.now() - t.created_at.getTime()));
    }
    return row;
  }

  private ran(step: string, outcome: SagaStepRanEvent['outcome'], started: number): void {
    this.events.publish(new SagaStepRanEvent('transfer', step, outcome, Date.now() - started));
  }
}
