import { Inject, Injectable, Logger } from '@nestjs/common';
import { AccountsPatterns, createEnvelope, DomainError, EventTypes, LedgerPatterns, type CreditDepositReply, type PostingReply } from '@bank/contracts';
import { isTransient, RequestContext, RpcClient } from '@bank/common';
import { DepositRepository } from '../deposits/deposit.repository.js';
import type { DepositRow } from '../deposits/deposit.row.js';
import { SAGA_OWNER } from './saga-owner.js';
import { ACCOUNTS_RPC, backoffMs, LEDGER_RPC, SAGA_SETTINGS, type SagaSettings } from './saga.settings.js';

/**
 * Money entering from outside: POST_LEDGER (debit the bank's settlement account, credit the customer's)
 * -> CREDIT_ACCOUNT (the account's balance). Both are idempotent by deposit id. The ledger may refuse
 * the first step (the balance cap: BALANCE_LIMIT_EXCEEDED): it booked nothing, so the deposit ends
 * FAILED with that code and publishes nothing. Once booked, the saga only goes forward, retrying: a
 * refused credit means the account and the ledger disagree for a moment (a transfer out of the
 * account is booked but not yet captured), which the next attempts outlive.
 */
@Injectable()
export class DepositSaga {
  private readonly logger = new Logger(DepositSaga.name);
  /** Deposits this process is driving now: the recovery worker leaves them alone. */
  private readonly active = new Set<string>();

  constructor(
    private readonly deposits: DepositRepository,
    @Inject(ACCOUNTS_RPC) private readonly accounts: RpcClient,
    @Inject(LEDGER_RPC) private readonly ledger: RpcClient,
    @Inject(SAGA_SETTINGS) private readonly settings: SagaSettings,
  ) {}

  driving(): string[] {
    return [...this.active];
  }

  async drive(start: DepositRow): Promise<DepositRow> {
    this.active.add(start.id);
    try {
      return await this.driveSteps(start);
    } finally {
      this.active.delete(start.id);
    }
  }

  private driveSteps(start: DepositRow): Promise<DepositRow> {
    return RequestContext.run({ correlationId: start.correlation_id }, async () => {
      let row: DepositRow | null = start;
      while (row && row.status === 'PENDING') {
        const current: DepositRow = row;
        const payload = { depositId: current.id, accountId: current.account_id, amount: Number(current.amount), currency: current.currency };
        try {
          if (current.step === 'POST_LEDGER') {
            await this.ledger.send<PostingReply>(LedgerPatterns.PostDeposit, payload);
            row = await this.deposits.moveTo(current, SAGA_OWNER, this.settings.leaseMs, 'CREDIT_ACCOUNT');
          } else {
            await this.accounts.send<CreditDepositReply>(AccountsPatterns.CreditDeposit, payload);
            const event = createEnvelope(
              EventTypes.DepositCompleted,
              { ...payload, customerId: current.customer_id },
              { correlationId: current.correlation_id },
            );
            row = await this.deposits.moveTo(current, SAGA_OWNER, this.settings.leaseMs, 'DONE', [event]);
          }
        } catch (error) {
          if (current.step === 'POST_LEDGER' && !isTransient(error)) {
            const code = error instanceof DomainError ? error.code : 'INTERNAL';
            this.logger.warn({ msg: 'deposit refused', depositId: current.id, errorCode: code });
            return (await this.deposits.fail(current, SAGA_OWNER, code)) ?? current;
          }
          // A refusal after the booking: the world changed under us for a moment; keep it visible and retry slowly.
          const delay = isTransient(error) ? backoffMs(current.attempts, this.settings.maxBackoffMs) : this.settings.maxBackoffMs;
          const level = isTransient(error) ? 'warn' : 'error';
          this.logger[level]({ msg: 'deposit step failed, retry scheduled', depositId: current.id, step: current.step, delayMs: delay, error: String(error) });
          await this.deposits.scheduleRetry(current, SAGA_OWNER, delay, error instanceof Error ? error.message : String(error));
          return current;
        }
      }
      return row ?? start;
    });
  }
}
