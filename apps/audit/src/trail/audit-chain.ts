import { createHash } from 'node:crypto';
import { canonicalJson } from '@bank/common';

/** prev_hash of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** What a record's hash covers: the event as received, and when it was recorded. */
export interface ChainedContent {
  eventId: string;
  type: string;
  correlationId: string;
  causationId: string | null;
  /** ISO 8601 UTC with milliseconds, as Date#toISOString gives it. */
  occurredAt: string;
  recordedAt: string;
  data: unknown;
}

/** hash = SHA-256(prev_hash || "\n" || canonical JSON of the content), hex. Only the content's own fields count. */
export function chainHash(prevHash: string, content: ChainedContent): string {
  const { eventId, type, correlationId, causationId, occurredAt, recordedAt, data } = content;
  const canonical = canonicalJson({ eventId, type, correlationId, causationId, occurredAt, recordedAt, data });
  return createHash('sha256').update(prevHash).update('\n').update(canonical).digest('hex');
}

export interface ChainRecord extends ChainedContent {
  seq: number;
  hash: string;
  prevHash: string;
}

/**
 * Walks records in seq order from `prevHash`; returns the seq of the first one whose link or hash
 * does not match, or undefined if all do. Works page by page: feed it the last hash it returned.
 */
export function verifyChain(records: readonly ChainRecord[], prevHash: string): { brokenAt?: number; head: string } {
  let head = prevHash;
  for (const record of records) {
    if (record.prevHash !== head || chainHash(head, record) !== record.hash) return { brokenAt: record.seq, head };
    head = record.hash;
  }
  return { head };
}
