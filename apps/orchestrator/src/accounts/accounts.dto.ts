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
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiProperty({ example: 'EUR' }) currency!: string;
  @ApiProperty({ description: 'minor units' }) balance!: number;
  @ApiProperty({ description: 'balance minus holds of transfers in flight' }) availableBalance!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class DepositResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) accountId!: string;
  @ApiProperty() amount!: number;
  @ApiProperty() currency!: string;
  @ApiProperty({ enum: ['COMPLETED', 'PENDING', 'FAILED'] }) status!: string;
  @ApiPropertyOptional({ description: 'why a FAILED deposit was refused, e.g. BALANCE_LIMIT_EXCEEDED' }) failureCode?: string;
}

export class StatementEntryResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) transferId!: string;
  @ApiProperty({ description: 'signed: + credit, - debit' }) amount!: number;
  @ApiProperty() balanceAfter!: number;
  @ApiProperty({ format: 'date-time' }) postedAt!: string;
}

export class StatementResponse {
  @ApiProperty({ format: 'uuid' }) accountId!: string;
  @ApiProperty() currency!: string;
  @ApiProperty() balance!: number;
  @ApiProperty({ type: [StatementEntryResponse] }) entries!: StatementEntryResponse[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
