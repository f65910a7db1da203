import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { AccountDirectory } from '../accounts/account-directory.js';
import { awaitSaga, checkReplay } from '../common/idempotent-replay.js';
import { requestFingerprint } from '../common/idempotency-key.js';
import { DepositSaga } from '../saga/deposit.saga.js';
import { SAGA_OWNER } from '../saga/saga-owner.js';
import { SAGA_SETTINGS } from '../orchestrator.tokens.js';
import type { SagaSettings } from '../saga/saga.settings.js';
import { DepositRepository } from './deposit.repository.js';
import type { DepositRow } from './deposit.row.js';
import { MakeDepositCommand } from './make-deposit.command.js';

@CommandHandler(MakeDepositCommand)
export class MakeDepositHandler implements ICommandHandler<MakeDepositCommand, DepositRow> {
  private readonly logger = new Logger(MakeDepositHandler.name);

  constructor(
    private readonly deposits: DepositRepository,
    private readonly saga: DepositSaga,
    private readonly directory: AccountDirectory,
    @Inject(SAGA_SETTINGS) private readonly settings: SagaSettings,
  ) {}

  async execute(command: MakeDepositCommand): Promise<DepositRow> {
    // Ownership first: someone else's account is a 404 and nothing is written.
    const account = await this.directory.owned(command.accountId, command.customerId);
    const requestHash = requestFingerprint(`POST /accounts/${command.accountId}/deposits`, { amount: command.amount });
    const { row, created } = await this.deposits.insertOrGet(
      {
        id: randomUUID(),
        customerId: command.customerId,
        idempotencyKey: command.idempotencyKey,
        requestHash,
        accountId: command.accountId,
        amount: command.amount,
        currency: account.currency,
        correlationId: command.correlationId,
      },
      SAGA_OWNER,
      this.settings.leaseMs,
    );
    if (!created) {
      checkReplay(row, requestHash);
      return row;
    }
    return awaitSaga(
      row,
      this.saga.drive(row),
      this.settings.syncWaitMs,
      () => this.deposits.markResponded(row.id),
      (error) => this.logger.error({ msg: 'deposit saga failed in background', depositId: row.id, err: error }),
    );
  }
}
