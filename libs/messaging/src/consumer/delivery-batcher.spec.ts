import { DeliveryBatcher } from './delivery-batcher.js';

/** A batcher recording the batches it hands over (the next one fails after failNext). */
function recording(size: number, windowMs: number) {
  const batches: number[][] = [];
  const crashes: unknown[] = [];
  let fail = false;
  const batcher = new DeliveryBatcher<number>(
    size,
    windowMs,
    (batch) => {
      batches.push(batch);
      if (!fail) return Promise.resolve();
      fail = false;
      return Promise.reject(new Error('crash'));
    },
    (error) => crashes.push(error),
  );
  return { batcher, batches, crashes, failNext: () => (fail = true) };
}

describe('DeliveryBatcher', () => {
  it('gathers what arrives within the window into one batch', async () => {
    const { batcher, batches } = recording(10, 20);
    batcher.push(1);
    batcher.push(2);
    batcher.push(3);
    await batcher.drained();
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('hands a full batch over at once, without waiting for the window', async () => {
    // A window longer than the test timeout: only a full batch can end it.
    const { batcher, batches } = recording(2, 60_000);
    batcher.push(1);
    batcher.push(2);
    await batcher.drained();
    expect(batches).toEqual([[1, 2]]);
  });

  it('splits what waits into batches of the size, oldest first', async () => {
    const { batcher, batches } = recording(2, 5);
    for (const n of [1, 2, 3, 4, 5]) batcher.push(n);
    await batcher.drained();
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('drops what will come back anyway, and goes on after a crashed batch', async () => {
    const { batcher, batches, crashes, failNext } = recording(10, 5);
    batcher.push(1);
    batcher.push(2);
    batcher.drop((n) => n === 1);
    failNext();
    await batcher.drained();
    expect(batches).toEqual([[2]]);
    expect(crashes).toHaveLength(1);
    batcher.push(3);
    await batcher.drained();
    expect(batches).toEqual([[2], [3]]);
  });
});
