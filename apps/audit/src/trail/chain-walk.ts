import type { SqlRunner } from '@bank/database';
import { verifyChain } from './audit-chain.js';
import { RECORD_COLUMNS, toChainRecord, type AuditRecordRow } from './audit-record.row.js';

const PAGE = 1_000;

/** A point of the trail: the record `seq` and its hash (seq 0 with the genesis hash before the first). */
export interface ChainPoint {
  seq: number;
  hash: string;
}

/**
 * Recomputes every hash after `from`, page by page so memory stays flat. Returns the last record it
 * reached (the head, when nothing is broken), how many records it read, and the seq of the first
 * record whose link or hash does not match.
 */
export async function walkChain(db: SqlRunner, from: ChainPoint): Promise<{ head: ChainPoint; records: number; brokenAt?: number }> {
  let head = from;
  let records = 0;
  for (;;) {
    const rows = await db.rows<AuditRecordRow>(`SELECT ${RECORD_COLUMNS} FROM audit.records WHERE seq > $1 ORDER BY seq LIMIT $2`, [
      head.seq,
      PAGE,
    ]);
    if (rows.length === 0) return { head, records };
    const result = verifyChain(rows.map(toChainRecord), head.hash);
    if (result.brokenAt !== undefined) return { head, records, brokenAt: result.brokenAt };
    records += rows.length;
    head = { seq: Number(rows[rows.length - 1].seq), hash: result.head };
  }
}
