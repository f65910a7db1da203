import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import {
  AccountsPatterns,
  createEnvelope,
  EventTypes,
  LedgerPatterns,
  type CommitFundsReply,
  type PostingReply,
  type ReleaseFundsReply,
  type ReserveFundsReply,
} from '@bank/contracts';
import { context, trace } from '@opentelemetry/api';
import { extractTraceContext, inSpan, isTracing, RpcClient } from '@bank/common';
import { stepRecord as record, TransferRepository } from '../transfers/transfer.repository.js';
import type { StepRecord, TransferRow, TransferStatus, TransferStep } from '../transfers/transfer.row.js';
import { ACCOUNTS_RPC, LEDGER_RPC, SAGA_SETTINGS } from '../orchestrator.tokens.js';
import { TransferFinishedEvent } from './saga.events.js';
import { SAGA_OWNER } from './saga-owner.js';
import { SagaSteps } from './saga-steps.js';
import type { SagaSettings } from './saga.settings.js';

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
  /** The loop, the step attempts, their logs and metrics: shared with the deposit saga. */
  private readonly steps: SagaSteps<TransferRow>;

  constructor(
    private readonly transfers: TransferRepository,
    @Inject(ACCOUNTS_RPC) private readonly accounts: RpcClient,
    @Inject(LEDGER_RPC) private readonly ledger: RpcClient,
    @Inject(SAGA_SETTINGS) private readonly settings: SagaSettings,
    private readonly events: EventBus,
  ) {
    this.steps = new SagaSteps({
      name: 'transfer',
      idKey: 'transferId',
      logger: this.logger,
      events,
      settings,
      scheduleRetry: (t, delayMs, error) => this.transfers.scheduleRetry(t, SAGA_OWNER, delayMs, error),
    });
  }

  /** The transfers this process is driving now: the recovery worker leaves them alone. */
  driving(): string[] {
    return this.steps.driving();
  }

  /** Runs the saga from the step its row names until it finishes, waits for a retry, or loses its lease. */
  drive(start: TransferRow): Promise<TransferRow> {
    return this.steps.drive(
      start,
      (t) => this.runStep(t),
      (run) => this.resumed(start, run),
    );
  }

  /**
   * Within the request that started it, the saga runs in that request's span. Resumed later (a retry
   * due, a crashed owner's saga) it runs in a span of its own in the starting request's trace, kept
   * on the row: one trace per transfer, however many times it was picked up.
   */
  private resumed(start: TransferRow, run: () => Promise<TransferRow>): Promise<TransferRow> {
    if (isTracing() && !trace.getSpan(context.active()) && start.trace_context) {
      return inSpan(
        'transfer saga resume',
        { attributes: { 'bank.transfer_id': start.id, 'bank.saga_step': start.step, 'bank.attempts': start.attempts } },
        run,
        extractTraceContext(start.trace_context),
      );
    }
    return run();
  }

  private runStep(t: TransferRow): Promise<TransferRow | null> {
    const ids = { transferId: t.id };
    switch (t.step) {
      case 'RESERVE_FUNDS':
        return this.steps.attempt(t, {
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
          giveUp: { stepStartedAt: t.step_started_at, compensate: (code) => this.compensate(t, 'RESERVE_FUNDS', 'RELEASE_FUNDS', code) },
        });

      case 'POST_LEDGER':
        return this.steps.attempt(t, {
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
          giveUp: { stepStartedAt: t.step_started_at, compensate: (code) => this.compensate(t, 'POST_LEDGER', 'REVERSE_LEDGER', code) },
        });

      case 'COMMIT_FUNDS':
        // No give-up: the entry is booked and the hold is ours, so going forward is the way out.
        return this.steps.attempt(t, {
          call: () => this.accounts.send<CommitFundsReply>(AccountsPatterns.CommitFunds, ids),
          onSuccess: () => this.finish(t, 'COMPLETED', [record('COMMIT_FUNDS', 'SUCCEEDED')]),
          onRefusal: (code) => this.compensate(t, 'COMMIT_FUNDS', 'REVERSE_LEDGER', code),
        });

      case 'REVERSE_LEDGER':
        return this.steps.attempt(t, {
          call: () => this.ledger.send<PostingReply>(LedgerPatterns.ReverseTransfer, ids),
          onSuccess: () => this.move(t, 'RELEASE_FUNDS', [record('REVERSE_LEDGER', 'SUCCEEDED'), record('RELEASE_FUNDS', 'STARTED')]),
          onRefusal: (code) => this.finish(t, 'NEEDS_ATTENTION', [record('REVERSE_LEDGER', 'FAILED', code)]),
        });

      case 'RELEASE_FUNDS':
        return this.steps.attempt(t, {
          call: () => this.accounts.send<ReleaseFundsReply>(AccountsPatterns.ReleaseFunds, ids),
          onSuccess: () => this.finish(t, 'FAILED', [record('RELEASE_FUNDS', 'SUCCEEDED')]),
          onRefusal: (code) => this.finish(t, 'NEEDS_ATTENTION', [record('RELEASE_FUNDS', 'FAILED', code)]),
        });

      case 'DONE':
        throw new Error(`Transfer ${t.id} is PENDING at DONE`);
    }
  }

  /**
   * Records progress before the next step. Forward steps are not flushed to disk on their own (one
   * fsync saved per step): losing one in a database crash only replays an idempotent step.
   * Compensation decisions and final states are always flushed.
   */
  private move(
    t: TransferRow,
    step: TransferStep,
    records: StepRecord[],
    patch: { toCustomerId?: string } = {},
  ): Promise<TransferRow | null> {
    const forward = step === 'POST_LEDGER' || step === 'COMMIT_FUNDS';
    return this.transfers.moveTo(t, SAGA_OWNER, this.settings.leaseMs, { step, records, ...patch, durable: !forward });
  }

  /** Starts compensating from `failedStep`; the failure code is what the client will see. */
  private compensate(
    t: TransferRow,
    failedStep: StepRecord['name'],
    first: 'REVERSE_LEDGER' | 'RELEASE_FUNDS',
    code: string,
  ): Promise<TransferRow | null> {
    return this.transfers.moveTo(t, SAGA_OWNER, this.settings.leaseMs, {
      step: first,
      records: [record(failedStep, 'FAILED', code), record(first, 'STARTED')],
      failureCode: code,
    });
  }

  /** Final state, with its event in the outbox in the same statement (`outboxWrite` in the repository's `moveAll`). */
  private async finish(
    t: TransferRow,
    status: Exclude<TransferStatus, 'PENDING'>,
    records: StepRecord[],
    failureCode?: string,
  ): Promise<TransferRow | null> {
    const code = failureCode ?? t.failure_code ?? undefined;
    const base = {
      transferId: t.id,
      fromAccountId: t.from_account_id,
      toAccountId: t.to_account_id,
      fromCustomerId: t.customer_id,
      amount: Number(t.amount),
      currency: t.currency,
    };
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
}
