import { eventually } from './eventually.js';

describe('eventually', () => {
  it('returns the first value `done` accepts, trying again until then', async () => {
    let tries = 0;
    const value = await eventually(
      () => ++tries,
      (n) => n === 3,
      { intervalMs: 1 },
    );
    expect(value).toBe(3);
    expect(tries).toBe(3);
  });

  it('without `done`, accepts any value but undefined and false, and returns it', async () => {
    const answers: unknown[] = [undefined, false, 0, 'late'];
    let tries = 0;
    expect(await eventually(() => answers[tries++], { intervalMs: 1 })).toBe(0);
    expect(tries).toBe(3);
  });

  it('tries a probe that throws again', async () => {
    let tries = 0;
    const value = await eventually(
      () => {
        if (++tries < 3) throw new Error('not yet');
        return 'ready';
      },
      { intervalMs: 1 },
    );
    expect(value).toBe('ready');
  });

  it('fails after the deadline, naming what it awaited and the last value or error', async () => {
    await expect(
      eventually(
        () => Promise.resolve(7),
        (n) => n > 7,
        { timeoutMs: 20, intervalMs: 5, what: 'a count above 7' },
      ),
    ).rejects.toThrow('a count above 7 not met within 20 ms; last: 7');
    await expect(
      eventually(
        () => {
          throw new Error('connection refused');
        },
        { timeoutMs: 20, intervalMs: 5 },
      ),
    ).rejects.toThrow('the condition not met within 20 ms; last: connection refused');
  });
});
