import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DepositRepository } from '../deposits/deposit.repository.js';
import { TransferRepository } from '../transfers/transfer.repository.js';
import { DepositSaga } from './deposit.saga.js';
import { SAGA_OWNER } from './saga-owner.js';
import { SAGA_SETTINGS } from '../orchestrator.tokens.js';
import type { SagaSettings } from './saga.settings.js';
import { TransferSaga } from './transfer.saga.js';

const BATCH = 20;

/**
 * Finishes what was left mid-way: sagas whose retry is due, and sagas whose owner crashed (its lease
 * ran out). Runs at start-up and then periodically; rows are claimed with FOR UPDATE SKIP LOCKED and
 * leased, so several orchestrator replicas never drive the same saga at once.
 */
@Injectable()
export class SagaRecoveryService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SagaRecoveryService.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly transfers: TransferRepository,
    private readonly deposits: DepositRepository,
    private readonly transferSaga: TransferSaga,
    private readonly depositSaga: DepositSaga,
    @Inject(SAGA_SETTINGS) private readonly settings: SagaSettings,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.sweep()
        .catch((error: unknown) => this.logger.error({ msg: 'recovery sweep failed', err: error }))
        .finally(() => this.schedule(this.settings.recoveryIntervalMs));
    }, delayMs);
  }

  /** Drives every due saga; loops while full batches come back so a backlog drains quickly. */
  async sweep(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const transfers = await this.transfers.claimDue(SAGA_OWNER, this.settings.leaseMs, BATCH, this.transferSaga.driving());
      const deposits = await this.deposits.claimDue(SAGA_OWNER, this.settings.leaseMs, BATCH, this.depositSaga.driving());
      if (transfers.length + deposits.length > 0) {
        this.logger.log({ msg: 'resuming sagas', transfers: transfers.length, deposits: deposits.length });
      }
      await Promise.all([...transfers.map((t) => this.transferSaga.drive(t)), ...deposits.map((d) => this.depositSaga.drive(d))]);
      if (transfers.length < BATCH && deposits.length < BATCH) return;
    }
  }
}
