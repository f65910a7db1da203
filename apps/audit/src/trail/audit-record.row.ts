import type { ChainRecord } from './audit-chain.js';

/** Columns as selected by `RECORD_COLUMNS`; bigint arrives as string from pg. */
export interface AuditRecordRow {
  seq: string;
  event_id: string;
  type: string;
  correlation_id: string;
  causation_id: string | null;
  occurred_at: Date;
  recorded_at: Date;
  data: Record<string, unknown>;
  hash: string;
  prev_hash: string;
}

export const RECORD_COLUMNS = 'seq, event_id, type, correlation_id, causation_id, occurred_at, recorded_at, data, hash, prev_hash';

/** A record as GET /audit/events shows it. */
export interface AuditEventView {
  seq: number;
  eventId: string;
  type: string;
  correlationId: string;
  occurredAt: string;
  recordedAt: string;
  hash: string;
  prevHash: string;
  data: Record<string, unknown>;
  /** After how many attempts audit recorded it (1: the first delivery); absent once its inbox row is pruned. */
  attempts?: number;
}

/** A record with the attempts its inbox row counted (null once that row is pruned). */
export interface ListedAuditRecordRow extends AuditRecordRow {
  attempts: number | null;
}

export function toAuditEventView(row: AuditRecordRow & { attempts?: number | null }): AuditEventView {
  return {
    seq: Number(row.seq),
    eventId: row.event_id,
    type: row.type,
    correlationId: row.correlation_id,
    occurredAt: row.occurred_at.toISOString(),
    recordedAt: row.recorded_at.toISOString(),
    hash: row.hash,
    prevHash: row.prev_hash,
    data: row.data,
    ...(typeof row.attempts === 'number' ? { attempts: row.attempts } : {}),
  };
}

export function toChainRecord(row: AuditRecordRow): ChainRecord {
  return {
    seq: Number(row.seq),
    eventId: row.event_id,
    type: row.type,
    correlationId: row.correlation_id,
    causationId: row.causation_id,
    occurredAt: row.occurred_at.toISOString(),
    recordedAt: row.recorded_at.toISOString(),
    data: row.data,
    hash: row.hash,
    prevHash: row.prev_hash,
  };
}
