import { VerifiedTokenCache } from './verified-token.cache.js';

describe('VerifiedTokenCache', () => {
  it('returns a verified token until it expires, then forgets it', () => {
    const cache = new VerifiedTokenCache<string>();
    cache.set('t1', 'customer-1', 2_000, 1_000);
    expect(cache.get('t1', 1_999)).toBe('customer-1');
    expect(cache.get('t1', 2_000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('never caches a token that is already expired', () => {
    const cache = new VerifiedTokenCache<string>();
    cache.set('t1', 'customer-1', 1_000, 1_000);
    expect(cache.get('t1', 999)).toBeUndefined();
  });

  it('only the exact token hits', () => {
    const cache = new VerifiedTokenCache<string>();
    cache.set('a.b.c', 'customer-1', 10_000, 0);
    expect(cache.get('a.b.d', 1)).toBeUndefined();
  });

  it('stays bounded, dropping the oldest entry first', () => {
    const cache = new VerifiedTokenCache<number>(2);
    cache.set('t1', 1, 10_000, 0);
    cache.set('t2', 2, 10_000, 0);
    cache.set('t3', 3, 10_000, 0);
    expect(cache.size).toBe(2);
    expect(cache.get('t1', 1)).toBeUndefined();
    expect(cache.get('t3', 1)).toBe(3);
  });

  it('clear() forgets everything (new signing keys)', () => {
    const cache = new VerifiedTokenCache<number>();
    cache.set('t1', 1, 10_000, 0);
    cache.clear();
    expect(cache.get('t1', 1)).toBeUndefined();
  });
});
