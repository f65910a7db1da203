import { createHash } from 'node:crypto';
import { requestFingerprint } from './idempotency-key.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Same key + same request = a replay; same key + another request = IDEMPOTENCY_KEY_REUSED. The fingerprint decides which. */
describe('requestFingerprint', () => {
  it('is the SHA-256 of the route and the canonical JSON of the body (keys sorted at every level)', () => {
    expect(requestFingerprint('POST /transfers', { b: 1, a: [2, { d: 'x', c: null }] })).toBe(
      sha256('POST /transfers\n{"a":[2,{"c":null,"d":"x"}],"b":1}'),
    );
  });

  it('is the same for the same request written in another key order, or with undefined fields', () => {
    const body = { fromAccountId: 'a', toAccountId: 'b', amount: 500, currency: 'EUR', reference: undefined };
    expect(requestFingerprint('POST /transfers', body)).toBe(
      requestFingerprint('POST /transfers', { currency: 'EUR', amount: 500, toAccountId: 'b', fromAccountId: 'a' }),
    );
  });

  it('differs for another route, another value, another type, a null field or another array order', () => {
    const base = requestFingerprint('POST /transfers', { amount: 500, tags: [1, 2] });
    const others = [
      requestFingerprint('POST /deposits', { amount: 500, tags: [1, 2] }),
      requestFingerprint('POST /transfers', { amount: 501, tags: [1, 2] }),
      requestFingerprint('POST /transfers', { amount: '500', tags: [1, 2] }),
      requestFingerprint('POST /transfers', { amount: 500, tags: [1, 2], reference: null }),
      requestFingerprint('POST /transfers', { amount: 500, tags: [2, 1] }),
    ];
    expect(new Set([base, ...others]).size).toBe(others.length + 1);
  });
});
