import { backoffDelay } from '@bank/common';
import { stepRetryPolicy } from './saga.settings.js';

describe('stepRetryPolicy (saga retries)', () => {
  const delay = (attempts: number, maxMs: number, random: number) => backoffDelay(attempts, stepRetryPolicy(maxMs), () => random);

  it('doubles from 100 ms per attempt, the jitter taking off at most a quarter', () => {
    expect([0, 1, 2, 3].map((a) => delay(a, 60_000, 0))).toEqual([100, 200, 400, 800]);
    expect([0, 1, 2, 3].map((a) => delay(a, 60_000, 1))).toEqual([75, 150, 300, 600]);
  });

  it('never waits longer than the cap, whatever the attempt', () => {
    expect(delay(10, 5_000, 0)).toBe(5_000);
    expect(delay(10, 5_000, 1)).toBe(3_750);
    expect(delay(1_000, 5_000, 0)).toBe(5_000);
  });
});
