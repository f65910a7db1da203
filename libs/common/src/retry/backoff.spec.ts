import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  const policy = { initialMs: 100, maxMs: 5_000, jitter: 0.2 };

  it('grows exponentially from the initial delay', () => {
    const noJitter = () => 0;
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, policy, noJitter))).toEqual([100, 200, 400, 800]);
  });

  it('never exceeds the cap, whatever the attempt and the jitter', () => {
    for (const attempt of [6, 10, 50, 10_000]) {
      for (const r of [0, 0.5, 0.999]) {
        const delay = backoffDelay(attempt, policy, () => r);
        expect(delay).toBeLessThanOrEqual(5_000);
        expect(delay).toBeGreaterThanOrEqual(4_000);
      }
    }
  });

  it('only shortens a delay by at most the jitter fraction', () => {
    expect(backoffDelay(2, policy, () => 1)).toBe(320);
  });
});
