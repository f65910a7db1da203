import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { injectTraceContext } from '@bank/common';
import { DomainError } from '@bank/contracts';
import { AccountDirectory } from '../accounts/account-directory.js';
import { awaitSaga, checkReplay } from '../common/idempotent-replay.js';
import { requestFingerprint } from '../common/idempotency-key.js';
import { SAGA_OWNER } from '../saga/saga-owner.js';
import { SAGA_SETTINGS } from '../orchestrator.tokens.js';
import type { SagaSettings } from '../saga/saga.settings.js';
import { TransferSaga } from '../saga/transfer.saga.js';
import { StartTransferCommand } from './start-transfer.command.js';
import { TransferRepository } from './transfer.repository.js';
import type { TransferRow } from './transfer.row.js';

/** The saga's row, and whether the request was a replay of a key used before (see `transferAnswer`). */
export interface StartedTransfer {
  row: TransferRow;
  replayed: boolean;
}

/**
 * POST /transfers: checks what can be checked without writing (input, ownership of the source),
 * then records the saga under the customer's Idempotency-Key and drives it, waiting a bounded time.
 */
@CommandHandler(StartTransferCommand)
export class StartTransferHandler implements ICommandHandler<StartTransferCommand, StartedTransfer> {
  private readonly logger = new Logger(StartTransferHandler.name);

  constructor(
    private readonly transfers: TransferRepository,
    private readonly saga: TransferSaga,
    private readonly directory: AccountDirectory,
    @Inject(SAGA_SETTINGS) private readonly settings: SagaSettings,
  ) {}

  async execute({ customerId, request, idempotencyKey, correlationId }: StartTransferCommand): Promise<StartedTransfer> {
    if (request.fromAccountId === request.toAccountId) {
      throw new DomainError('VALIDATION_FAILED', 'fromAccountId and toAccountId must differ');
    }
    await this.directory.owned(request.fromAccountId, customerId);
    const requestHash = requestFingerprint('POST /transfers', request);
    const { row, created } = await this.transfers.insertOrGet(
      {
        id: randomUUID(),
        customerId,
        idempotencyKey,
        requestHash,
        fromAccountId: request.fromAccountId,
        toAccountId: request.toAccountId,
        amount: request.amount,
        currency: request.currency,
        reference: request.reference ?? null,
        correlationId,
        traceContext: injectTraceContext() ?? null,
      },
      SAGA_OWNER,
      this.settings.leaseMs,
    );
    if (!created) {
      checkReplay(row, requestHash);
      return { row, replayed: true };
    }
    // Still running after the wait (a slow step, or a retry scheduled): 202; it finishes on its own.
    const finished = await awaitSaga(
      row,
      this.saga.drive(row),
      this.settings.syncWaitMs,
      () => this.transfers.markResponded(row.id),
      (error) => this.logger.error({ msg: 'transfer saga failed in background', transferId: row.id, err: error }),
    );
    return { row: finished, replayed: false };
  }
}
