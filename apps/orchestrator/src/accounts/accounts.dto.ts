import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { IsAmount, IsCurrency, IsId, ToInt } from '@bank/contracts';

export class OpenAccountDto {
  @ApiProperty({ example: 'EUR', description: 'ISO 4217 upper-case code' })
  @IsCurrency()
  currency!: string;
}

export class DepositDto {
  @ApiProperty({ example: 1250, description: 'minor units (1250 = 12.50)', minimum: 1, maximum: 1e12 })
  @IsAmount()
  amount!: number;
}

/** GET /accounts pages; without a query the first page holds every account up to the per-customer limit's default. */
export class AccountsQueryDto {
  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ description: 'where the next page starts: take it from the Link header (rel="next") of the previous page' })
  @IsOptional()
  @IsId()
  cursor?: string;
}

export class StatementQueryDto {
  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export class AccountResponse {
  @ApiProperty({ format: 'uuid', example: '2c4e6a8b-0d1f-4e3a-9b5c-7d9e1f3a5b7c' }) id!: string;
  @ApiProperty({ format: 'uuid', example: '6f1d3c2a-5b4e-4f7a-9c8d-1e2f3a4b5c6d' }) customerId!: string;
  @ApiProperty({ example: 'EUR' }) currency!: string;
  @ApiProperty({ description: 'minor units', example: 8750 }) balance!: number;
  @ApiProperty({ description: 'balance minus holds of transfers in flight', example: 7500 }) availableBalance!: number;
  @ApiProperty({ format: 'date-time', example: '2026-12-01T12:00:00.000Z' }) createdAt!: string;
}

export class DepositResponse {
  @ApiProperty({ format: 'uuid', example: '9d7b5f3a-1c2e-4d4f-8a6b-0c2e4f6a8b0d' }) id!: string;
  @ApiProperty({ format: 'uuid', example: '2c4e6a8b-0d1f-4e3a-9b5c-7d9e1f3a5b7c' }) accountId!: string;
  @ApiProperty({ description: 'minor units', example: 10000 }) amount!: number;
  @ApiProperty({ example: 'EUR' }) currency!: string;
  @ApiProperty({ enum: ['COMPLETED', 'PENDING', 'FAILED'], example: 'COMPLETED' }) status!: string;
  @ApiPropertyOptional({ description: 'why a FAILED deposit was refused, e.g. BALANCE_LIMIT_EXCEEDED' }) failureCode?: string;
}

export class StatementEntryResponse {
  @ApiProperty({ format: 'uuid', example: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' }) id!: string;
  @ApiProperty({
    format: 'uuid',
    description: 'the transfer, or the deposit, that booked it',
    example: '5a7c9e1b-3d5f-4a2c-8e4b-6d8f0a2c4e6b',
  })
  transferId!: string;
  @ApiProperty({ description: 'signed: + credit, - debit', example: -1250 }) amount!: number;
  @ApiProperty({ example: 8750 }) balanceAfter!: number;
  @ApiProperty({ format: 'date-time', example: '2026-12-01T12:00:00.000Z' }) postedAt!: string;
}

export class StatementResponse {
  @ApiProperty({ format: 'uuid', example: '2c4e6a8b-0d1f-4e3a-9b5c-7d9e1f3a5b7c' }) accountId!: string;
  @ApiProperty({ example: 'EUR' }) currency!: string;
  @ApiProperty({ example: 8750 }) balance!: number;
  @ApiProperty({ type: [StatementEntryResponse] }) entries!: StatementEntryResponse[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
