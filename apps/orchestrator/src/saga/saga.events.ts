import type { TransferStatus } from '../transfers/transfer.row.js';

/** In-process domain event (CQRS EventBus) when a saga reaches a final state; feeds metrics and logs. */
export class TransferFinishedEvent {
  constructor(
    readonly transferId: string,
    readonly status: TransferStatus,
    readonly failureCode: string | null,
    readonly durationMs: number,
  ) {}
}

/** A step of a saga ran, with its outcome. */
export class SagaStepRanEvent {
  constructor(
    readonly saga: 'transfer' | 'deposit',
    readonly step: string,
    readonly outcome: 'succeeded' | 'refused' | 'retrying' | 'gave_up',
    readonly durationMs: number,
  ) {}
}
