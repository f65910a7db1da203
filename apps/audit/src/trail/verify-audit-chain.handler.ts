import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { Sql } from '@bank/database';
import { CheckpointService } from '../checkpoints/checkpoint.service.js';
import { GENESIS_HASH } from './audit-chain.js';
import { walkChain } from './chain-walk.js';
import { VerifyAuditChainQuery, type VerifyAuditChainReply } from './list-audit-events.query.js';

/**
 * Recomputes every hash from the stored columns and holds the trail to its newest signed checkpoint;
 * a trail that passes both is anchored at once (its head signed), so the next check covers it.
 */
@QueryHandler(VerifyAuditChainQuery)
export class VerifyAuditChainHandler implements IQueryHandler<VerifyAuditChainQuery, VerifyAuditChainReply> {
  constructor(
    private readonly db: Sql,
    private readonly checkpoints: CheckpointService,
  ) {}

  async execute(): Promise<VerifyAuditChainReply> {
    const anchor = await this.checkpoints.anchor();
    const walked = await walkChain(this.db, { seq: 0, hash: GENESIS_HASH });
    const checkpointSeq = anchor.checkpoint ? { checkpointSeq: anchor.checkpoint.seq } : {};
    if (walked.brokenAt !== undefined) {
      const [count] = await this.db.rows<{ n: number }>(`SELECT count(*)::int AS n FROM audit.records`);
      return {
        valid: false,
        records: count?.n ?? walked.records,
        firstInvalidSeq: walked.brokenAt,
        reason: 'chain_broken',
        ...checkpointSeq,
      };
    }
    const problem = anchor.problem ?? (anchor.checkpoint ? await this.checkpoints.holds(anchor.checkpoint) : undefined);
    if (problem) return { valid: false, records: walked.records, reason: problem, ...checkpointSeq };
    if (walked.head.seq > (anchor.checkpoint?.seq ?? 0)) await this.checkpoints.sign(walked.head);
    return { valid: true, records: walked.records, ...checkpointSeq };
  }
}
