import { IsInt, IsOptional, IsString, IsUUID, Matches, Max, Min } from 'class-validator';
import { ToInt } from '@bank/contracts';

/** GET /audit/events query string; also the CQRS query. */
export class ListAuditEventsQuery {
  @IsOptional() @IsUUID() transferId?: string;
  @IsOptional() @IsString() @Matches(/^[a-z_]+\.[a-z_]+$/) type?: string;
  @IsOptional() @ToInt() @IsInt() @Min(1) @Max(1000) limit?: number;
}

export class VerifyAuditChainQuery {}

export interface VerifyAuditChainReply {
  valid: boolean;
  records: number;
  /** seq of the first record whose link or hash does not match (only when invalid). */
  firstInvalidSeq?: number;
}
