import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import {
  AccountsPatterns,
  createEnvelope,
  EventTypes,
  LedgerPatterns,
  type CreditDepositReply,
  type DomainError,
  type PostingReply,
} from '@bank/contracts';
import { RpcClient } from '@bank/common';
import { DepositRepository } from '../deposits/deposit.repository.js';
import type { DepositRow } from '../deposits/deposit.row.js';
import { ACCOUNTS_RPC, LEDGER_RPC, SAGA_SETTINGS } from '../orchestrator.tokens.js';
import { SAGA_OWNER } from './saga-owner.js';
import { SagaSteps } from './saga-steps.js';
import type { SagaSettings } from './saga.settings.js';

/**
 * Money entering from outside: POST_LEDGER (debit the bank's settlement account, credit the customer's)
 * -> CREDIT_ACCOUNT (the account's balance). Both are idempotent by deposit id. The ledger may refuse
 * the first step (the balance cap: BALANCE_LIMIT_EXCEEDED): it booked nothing, so the deposit ends
 * FAILED with that code and publishes nothing. Once booked, the saga only goes forward, retrying: a
 * refused credit means the account and the ledger disagree for a moment (a transfer out of the
 * account is booked but not yet captured), which the next attempts outlive. Driven like the
 * transfer saga (`SagaSteps`: the same loop, logs and metrics), and resumed the same way after a crash.
 */
@Injectable()
export class DepositSaga {
  private readonly logger = new Logger(DepositSaga.name);
  /** The loop, the step attempts, their logs and metrics: shared with the transfer saga. */
  private readonly steps: SagaSteps<DepositRow>;

  constructor(
    private readonly deposits: DepositRepository,
    @Inject(ACCOUNTS_RPC) private readonly accounts: RpcClient,
    @Inject(LEDGER_RPC) private readonly ledger: RpcClient,
    @Inject(SAGA_SETTINGS) private readonly settings: SagaSettings,
    events: EventBus,
  ) {
    this.steps = new SagaSteps({
      name: 'deposit',
      idKey: 'depositId',
      logger: this.logger,
      events,
      settings,
      scheduleRetry: (d, delayMs, error) => this.deposits.scheduleRetry(d, SAGA_OWNER, delayMs, error),
    });
  }

  /** The deposits this process is driving now: the recovery worker leaves them alone. */
  driving(): string[] {
    return this.steps.driving();
  }

  /** Runs the saga from the step its row names until it finishes, waits for a retry, or loses its lease. */
  drive(start: DepositRow): Promise<DepositRow> {
    return this.steps.drive(start, (d) => this.runStep(d));
  }

  private runStep(d: DepositRow): Promise<DepositRow | null> {
    const payload = { depositId: d.id, accountId: d.account_id, amount: Number(d.amount), currency: d.currency };
    switch (d.step) {
      case 'POST_LEDGER':
        return this.steps.attempt(d, {
          call: () => this.ledger.send<PostingReply>(LedgerPatterns.PostDeposit, payload),
          onSuccess: () => this.deposits.moveTo(d, SAGA_OWNER, this.settings.leaseMs, 'CREDIT_ACCOUNT'),
          // Nothing was booked: the deposit ends FAILED with the refusal's code.
          onRefusal: (code) => this.deposits.fail(d, SAGA_OWNER, code),
        });

      case 'CREDIT_ACCOUNT':
        // No give-up and no failing: the money is booked, so going forward is the way out.
        return this.steps.attempt(d, {
          call: () => this.accounts.send<CreditDepositReply>(AccountsPatterns.CreditDeposit, payload),
          onSuccess: () => this.finish(d, payload),
          onRefusal: (code, refusal) => this.retrySlowly(d, code, refusal),
        });

      case 'DONE':
        throw new Error(`Deposit ${d.id} is PENDING at DONE`);
    }
  }

  /** A refusal after the booking: the world changed under us for a moment; keep it visible and retry at the longest backoff. */
  private retrySlowly(d: DepositRow, code: string, refusal: DomainError): Promise<DepositRow | null> {
    const delayMs = this.settings.maxBackoffMs;
    this.logger.error({ msg: 'booked deposit refused, retry scheduled', depositId: d.id, step: d.step, errorCode: code, delayMs });
    return this.deposits.scheduleRetry(d, SAGA_OWNER, delayMs, refusal.message);
  }

  /** Final state, with deposit.completed in the outbox in the same statement (`outboxWrite` in the repository's `moveTo`). */
  private finish(
    d: DepositRow,
    payload: { depositId: string; accountId: string; amount: number; currency: string },
  ): Promise<DepositRow | null> {
    const event = createEnvelope(
      EventTypes.DepositCompleted,
      { ...payload, customerId: d.customer_id },
      { correlationId: d.correlation_id },
    );
    return this.deposits.moveTo(d, SAGA_OWNER, this.settings.leaseMs, 'DONE', [event]);
  }
}
