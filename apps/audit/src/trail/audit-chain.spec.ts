import { createHash } from 'node:crypto';
import { canonicalJson } from '@bank/common';
import { chainHash, GENESIS_HASH, verifyChain, type ChainRecord, type ChainedContent } from './audit-chain.js';

const content = (n: number): ChainedContent => ({
  eventId: `00000000-0000-4000-8000-00000000000${n}`,
  type: 'transfer.completed',
  correlationId: `c-${n}`,
  causationId: null,
  occurredAt: '2025-01-01T10:00:00.000Z',
  recordedAt: '2025-01-01T10:00:01.000Z',
  data: { amount: 1250 + n, currency: 'EUR', nested: { b: 1, a: [3, { z: true, y: null }] } },
});

function chain(count: number): ChainRecord[] {
  const records: ChainRecord[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= count; i++) {
    const hash = chainHash(prev, content(i));
    records.push({ ...content(i), seq: i, hash, prevHash: prev });
    prev = hash;
  }
  return records;
}

describe('hash chain', () => {
  it('starts from 64 zeros, the head the database link check assumes for an empty trail', () => {
    expect(GENESIS_HASH).toBe('0'.repeat(64));
  });

  it('hashes exactly SHA-256(prev_hash, a newline, the canonical JSON): what an outside verifier recomputes', () => {
    const expected = createHash('sha256')
      .update(`${GENESIS_HASH}\n${canonicalJson({ ...content(1) })}`)
      .digest('hex');
    expect(chainHash(GENESIS_HASH, content(1))).toBe(expected);
  });

  it('verifies an intact chain', () => {
    const records = chain(5);
    expect(verifyChain(records, GENESIS_HASH)).toEqual({ head: records[4].hash });
  });

  it('depends on the previous hash, so records cannot be reordered', () => {
    expect(chainHash(GENESIS_HASH, content(1))).not.toBe(chainHash('f'.repeat(64), content(1)));
    const records = chain(3);
    expect(verifyChain([records[1], records[0], records[2]], GENESIS_HASH).brokenAt).toBe(2);
  });

  it('finds an edited record, even if its own hash was recomputed', () => {
    const records = chain(4);
    const edited = { ...records[1], data: { amount: 999_999 } };
    expect(verifyChain([records[0], edited, records[2], records[3]], GENESIS_HASH).brokenAt).toBe(2);
    const rehashed = { ...edited, hash: chainHash(edited.prevHash, edited) };
    expect(verifyChain([records[0], rehashed, records[2], records[3]], GENESIS_HASH).brokenAt).toBe(3);
  });

  it('finds a record whose prev_hash was edited, though its own hash still matches its content', () => {
    const records = chain(4);
    // The hash covers the content and the true previous hash, not the stored prev_hash: only the link check sees this.
    const relinked = { ...records[2], prevHash: 'f'.repeat(64) };
    expect(chainHash(records[1].hash, relinked)).toBe(relinked.hash);
    expect(verifyChain([records[0], records[1], relinked, records[3]], GENESIS_HASH)).toEqual({ brokenAt: 3, head: records[1].hash });
  });

  it('finds a first record that does not start from the genesis hash', () => {
    const records = chain(2);
    expect(verifyChain([{ ...records[0], prevHash: 'a'.repeat(64) }, records[1]], GENESIS_HASH).brokenAt).toBe(1);
  });

  it('finds a deleted record', () => {
    const records = chain(3);
    expect(verifyChain([records[0], records[2]], GENESIS_HASH).brokenAt).toBe(3);
  });

  it('continues across pages from the head it returned', () => {
    const records = chain(6);
    const first = verifyChain(records.slice(0, 3), GENESIS_HASH);
    expect(verifyChain(records.slice(3), first.head)).toEqual({ head: records[5].hash });
  });
});
