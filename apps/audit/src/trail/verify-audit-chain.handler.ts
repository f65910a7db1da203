import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { Sql } from '@bank/database';
import { GENESIS_HASH, verifyChain } from './audit-chain.js';
import { RECORD_COLUMNS, toChainRecord, type AuditRecordRow } from './audit-record.row.js';
import { VerifyAuditChainQuery, type VerifyAuditChainReply } from './list-audit-events.query.js';

const PAGE = 1_000;

/** Recomputes every hash from the stored columns, page by page, so memory stays flat. */
@QueryHandler(VerifyAuditChainQuery)
export class VerifyAuditChainHandler implements IQueryHandler<VerifyAuditChainQuery, VerifyAuditChainReply> {
  constructor(private readonly db: Sql) {}

  async execute(): Promise<VerifyAuditChainReply> {
    let head = GENESIS_HASH;
    let afterSeq = 0;
    let records = 0;
    for (;;) {
      const rows = await this.db.rows<AuditRecordRow>(`SELECT ${RECORD_COLUMNS} FROM audit.records WHERE seq > $1 ORDER BY seq LIMIT $2`, [
        afterSeq,
        PAGE,
      ]);
      if (rows.length === 0) return { valid: true, records };
      const result = verifyChain(rows.map(toChainRecord), head);
      if (result.brokenAt !== undefined) {
        const [count] = await this.db.rows<{ n: number }>(`SELECT count(*)::int AS n FROM audit.records`);
        return { valid: false, records: count?.n ?? records, firstInvalidSeq: result.brokenAt };
      }
      head = result.head;
      records += rows.length;
      afterSeq = Number(rows[rows.length - 1].seq);
    }
  }
}
