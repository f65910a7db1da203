import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsAmount, IsCurrency, IsId, IsReference } from '@bank/contracts';

export class CreateTransferDto {
  @ApiProperty({
    format: 'uuid',
    description: 'any letter case; compared and answered in lower case',
    example: '2c4e6a8b-0d1f-4e3a-9b5c-7d9e1f3a5b7c',
  })
  @IsId()
  fromAccountId!: string;
  @ApiProperty({
    format: 'uuid',
    description: 'any letter case; compared and answered in lower case',
    example: '8e6c4a2b-0f1d-4b3a-9e5c-7a9b1d3f5e7c',
  })
  @IsId()
  toAccountId!: string;
  @ApiProperty({ example: 1250, description: 'minor units', minimum: 1, maximum: 1e12 }) @IsAmount() amount!: number;
  @ApiProperty({ example: 'EUR' }) @IsCurrency() currency!: string;
  @ApiPropertyOptional({ maxLength: 140, description: 'free text: no control characters, no lone surrogates', example: 'rent' })
  @IsReference()
  reference?: string;
}

export class TransferStepResponse {
  @ApiProperty({ enum: ['RESERVE_FUNDS', 'POST_LEDGER', 'COMMIT_FUNDS', 'REVERSE_LEDGER', 'RELEASE_FUNDS'], example: 'RESERVE_FUNDS' })
  name!: string;
  @ApiProperty({ enum: ['STARTED', 'SUCCEEDED', 'FAILED'], example: 'SUCCEEDED' }) status!: string;
  @ApiProperty({ format: 'date-time', example: '2026-12-01T12:00:00.000Z' }) at!: string;
  @ApiPropertyOptional({ description: 'the error code of a FAILED step', example: 'INSUFFICIENT_FUNDS' }) code?: string;
}

export class TimelineEntryResponse {
  @ApiProperty({ format: 'date-time', example: '2026-12-01T12:00:00.000Z' }) at!: string;
  @ApiProperty({
    example: 'audit',
    description:
      "'saga' for orchestrated steps; 'audit' (event recorded), 'notifications' or 'analytics' (event handled) for the choreographed half",
  })
  source!: string;
  @ApiProperty({ example: 'transfer.completed handled' }) what!: string;
  @ApiPropertyOptional({ format: 'uuid', example: '7b1e3f5a-9c2d-4e6f-8a0b-1c3d5e7f9a2b' }) eventId?: string;
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    example: 1,
    description:
      "a subscriber's entry: after how many attempts it handled the event (1: the first delivery; each retry or redelivery adds one); " +
      'absent once its inbox row is pruned; with a state, the attempts so far (all failed)',
  })
  attempts?: number;
  @ApiPropertyOptional({
    enum: ['retrying', 'parked'],
    description:
      "a subscriber that has not handled the event but failed on it: 'retrying' (waiting in a retry queue) or 'parked' (in its " +
      'dead-letter queue until redriven); absent on every other entry. Once the subscriber handles the event the entry is a handled one',
  })
  state?: 'retrying' | 'parked';
  @ApiPropertyOptional({
    example: '40001',
    description: "with a state: the last failure's code (an error code, a driver code, or the error's class), never its message",
  })
  errorCode?: string;
  @ApiPropertyOptional({ example: 'gave up after 3 retries', description: 'parked: why, without the error message' })
  reason?: string;
}

export class TimelineResponse {
  @ApiProperty({ type: [TimelineEntryResponse] }) entries!: TimelineEntryResponse[];
  @ApiProperty({
    description:
      'true when every service asked answered within TIMELINE_TIMEOUT_MS: audit, and notifications and analytics once the transfer ' +
      'published its final event ("not handled yet" is an answer). false: a part is missing, not empty; ask again later',
  })
  complete!: boolean;
  @ApiPropertyOptional({
    description: 'the W3C trace id of the request that started the transfer, when tracing sampled it',
    example: '4bf92f3577b34da6a3ce929d0e0e4736',
  })
  traceId?: string;
  @ApiPropertyOptional({ description: 'that trace in the trace UI (TRACE_UI_URL), when set' })
  traceUrl?: string;
}

export class TransferResponse {
  @ApiProperty({ format: 'uuid', example: '5a7c9e1b-3d5f-4a2c-8e4b-6d8f0a2c4e6b' }) id!: string;
  @ApiProperty({ enum: ['PENDING', 'COMPLETED', 'FAILED', 'NEEDS_ATTENTION'], example: 'COMPLETED' }) status!: string;
  @ApiProperty({ format: 'uuid', example: '2c4e6a8b-0d1f-4e3a-9b5c-7d9e1f3a5b7c' }) fromAccountId!: string;
  @ApiProperty({ format: 'uuid', example: '8e6c4a2b-0f1d-4b3a-9e5c-7a9b1d3f5e7c' }) toAccountId!: string;
  @ApiProperty({ description: 'minor units', example: 1250 }) amount!: number;
  @ApiProperty({ example: 'EUR' }) currency!: string;
  @ApiProperty({ nullable: true, type: String, example: 'rent' }) reference!: string | null;
  @ApiPropertyOptional({ description: 'why a FAILED transfer failed, e.g. INSUFFICIENT_FUNDS' }) failureCode?: string;
  @ApiProperty({ format: 'date-time', example: '2026-12-01T12:00:00.000Z' }) createdAt!: string;
  @ApiPropertyOptional({ format: 'date-time', example: '2026-12-01T12:00:00.120Z' }) completedAt?: string;
  @ApiProperty({ type: [TransferStepResponse] }) steps!: TransferStepResponse[];
}

export class TransferWithTimelineResponse extends TransferResponse {
  @ApiProperty({
    type: TimelineResponse,
    description: 'both halves, by time: saga steps, and when audit recorded and the other subscribers handled its events',
  })
  timeline!: TimelineResponse;
}
