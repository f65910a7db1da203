import { jest } from '@jest/globals';
import { backoffMs } from './saga.settings.js';

describe('backoffMs (saga retries)', () => {
  afterEach(() => jest.restoreAllMocks());

  const withRandom = (value: number, attempts: number, maxMs: number) => {
    jest.spyOn(Math, 'random').mockReturnValue(value);
    return backoffMs(attempts, maxMs);
  };

  it('doubles from 100 ms per attempt, the jitter taking off at most a quarter', () => {
    expect([0, 1, 2, 3].map((a) => withRandom(1, a, 60_000))).toEqual([100, 200, 400, 800]);
    expect([0, 1, 2, 3].map((a) => withRandom(0, a, 60_000))).toEqual([75, 150, 300, 600]);
  });

  it('never waits longer than the cap, whatever the attempt', () => {
    expect(withRandom(1, 10, 5_000)).toBe(5_000);
    expect(withRandom(0, 10, 5_000)).toBe(3_750);
    expect(withRandom(1, 1_000, 5_000)).toBe(5_000);
  });
});
