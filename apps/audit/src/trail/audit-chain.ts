import { createHash } from 'node:crypto';

/** prev_hash of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * JSON with object keys sorted (by UTF-16 code units) at every level and no whitespace: the same
 * value always gives the same text, whatever order its keys were written or stored in (jsonb
 * reorders them). Numbers and strings serialise as JSON.stringify does, as in RFC 8785.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    return text === undefined ? 'null' : text;
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

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
