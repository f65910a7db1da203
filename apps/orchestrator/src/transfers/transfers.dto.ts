import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsAmount, IsCurrency, IsId, IsReference } from '@bank/contracts';

export class CreateTransferDto {
  @ApiProperty({ format: 'uuid', description: 'any letter case; compared and answered in lower case' }) @IsId() fromAccountId!: string;
  @ApiProperty({ format: 'uuid', description: 'any letter case; compared and answered in lower case' }) @IsId() toAccountId!: string;
  @ApiProperty({ example: 1250, description: 'minor units', minimum: 1, maximum: 1e12 }) @IsAmount() amount!: number;
  @ApiProperty({ example: 'EUR' }) @IsCurrency() currency!: string;
  @ApiPropertyOptional({ maxLength: 140, description: 'free text: no control characters, no lone surrogates' }) @IsReference() reference?: string;
}

export class TransferStepResponse {
  @ApiProperty({ enum: ['RESERVE_FUNDS', 'POST_LEDGER', 'COMMIT_FUNDS', 'REVERSE_LEDGER', 'RELEASE_FUNDS'] }) name!: string;
  @ApiProperty({ enum: ['STARTED', 'SUCCEEDED', 'FAILED'] }) status!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiPropertyOptional() code?: string;
}

export class TimelineEntryResponse {
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({
    description: "'saga' for orchestrated steps; 'audit' (event recorded), 'notifications' or 'analytics' (event handled) for the choreographed half",
  })
  source!: string;
  @ApiProperty({ example: 'transfer.completed handled' }) what!: string;
  @ApiPropertyOptional({ format: 'uuid' }) eventId?: string;
}

export class TimelineResponse {
  @ApiProperty({ type: [TimelineEntryResponse] }) entries!: TimelineEntryResponse[];
  @ApiProperty({
    description:
      'true when every service asked answered within TIMELINE_TIMEOUT_MS: audit, and notifications and analytics once the transfer ' +
      'published its final event ("not handled yet" is an answer). false: a part is missing, not empty; ask again later',
  })
  complete!: boolean;
  @ApiPropertyOptional({ description: 'the W3C trace id of the request that started the transfer, when tracing sampled it', example: '4bf92f3577b34da6a3ce929d0e0e4736' })
  traceId?: string;
  @ApiPropertyOptional({ description: 'that trace in the trace UI (TRACE_UI_URL), when set' })
  traceUrl?: string;
}

export class TransferResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['PENDING', 'COMPLETED', 'FAILED', 'NEEDS_ATTENTION'] }) status!: string;
  @ApiProperty({ format: 'uuid' }) fromAccountId!: string;
  @ApiProperty({ format: 'uuid' }) toAccountId!: string;
  @ApiProperty() amount!: number;
  @ApiProperty() currency!: string;
  @ApiProperty({ nullable: true, type: String }) reference!: string | null;
  @ApiPropertyOptional() failureCode?: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiPropertyOptional({ format: 'date-time' }) completedAt?: string;
  @ApiProperty({ type: [TransferStepResponse] }) steps!: TransferStepResponse[];
}

export class TransferWithTimelineResponse extends TransferResponse {
  @ApiProperty({ type: TimelineResponse, description: 'both halves, by time: saga steps, and when audit recorded and the other subscribers handled its events' })
  timeline!: TimelineResponse;
}
