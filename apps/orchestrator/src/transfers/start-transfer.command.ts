import type { CreateTransferDto } from './transfers.dto.js';

/** A customer's transfer request as the controller validated it. */
export class StartTransferCommand {
  constructor(
    readonly customerId: string,
    readonly request: CreateTransferDto,
    readonly idempotencyKey: string,
    readonly correlationId: string,
  ) {}
}
