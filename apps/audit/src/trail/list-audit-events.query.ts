import { IsInt, IsOptional, IsString, IsUUID, Matches, Max, Min } from 'class-validator';
import { ToInt } from '@bank/contracts';
import type { TrailProblem } from '../checkpoints/checkpoint.service.js';

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
  /** seq of the first record whose link or hash does not match (reason chain_broken only). */
  firstInvalidSeq?: number;
  /** Why the trail is not valid (only when invalid). */
  reason?: TrailProblem;
  /** seq of the signed checkpoint the trail was held to; absent before the first checkpoint. */
  checkpointSeq?: number;
}
