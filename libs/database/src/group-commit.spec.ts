import { GroupCommit } from './group-commit.js';

/** A `run` whose batches the test finishes by hand, so it controls what is in flight. */
function controlledRun() {
  const calls: { items: number[]; finish: (results?: string[]) => void; fail: (error: Error) => void }[] = [];
  const run = (items: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      calls.push({
        items,
        finish: (results) => resolve(results ?? items.map((i) => `r${i}`)),
        fail: reject,
      });
    });
  return { calls, run };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  it('runs a lone item at once, without waiting for company', async () => {
    const { calls, run } = controlledRun();
    const group = new GroupCommit(run, { maxInFlight: 1, maxBatch: 10 });
    const result = group.submit(1);
    expect(calls.map((c) => c.items)).toEqual([[1]]);
    calls[0]?.finish();
    await expect(result).resolves.toBe('r1');
  });

  it('batches what arrives while the in-flight limit is reached, and answers each item its own result', async () => {
    const { calls, run } = controlledRun();
    const group = new GroupCommit(run, { maxInFlight: 1, maxBatch: 10 });
    const first = group.submit(1);
    const rest = [2, 3, 4].map((i) => group.submit(i));
    expect(calls.map((c) => c.items)).toEqual([[1]]);
    calls[0]?.finish();
    await first;
    await flush();
    expect(calls.map((c) => c.items)).toEqual([[1], [2, 3, 4]]);
    calls[1]?.finish(['a', 'b', 'c']);
    await expect(Promise.all(rest)).resolves.toEqual(['a', 'b', 'c']);
  });

  it('never puts more than maxBatch items in one batch, nor runs more than maxInFlight batches', async () => {
    const { calls, run } = controlledRun();
    const group = new GroupCommit(run, { maxInFlight: 2, maxBatch: 2 });
    const all = [1, 2, 3, 4, 5, 6, 7].map((i) => group.submit(i));
    expect(calls.map((c) => c.items)).toEqual([[1], [2]]);
    calls[0]?.finish();
    await flush();
    expect(calls.map((c) => c.items)).toEqual([[1], [2], [3, 4]]);
    calls[1]?.finish();
    calls[2]?.finish();
    await flush();
    expect(calls.map((c) => c.items)).toEqual([[1], [2], [3, 4], [5, 6], [7]]);
    calls[3]?.finish();
    calls[4]?.finish();
    await expect(Promise.all(all)).resolves.toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7']);
  });

  it('runs each item of a failed batch alone, so only the bad one fails', async () => {
    const bad = new Error('item 3 violates a constraint');
    const batches: number[][] = [];
    const group = new GroupCommit(
      (items: number[]) => {
        batches.push(items);
        return items.includes(3) ? Promise.reject(bad) : Promise.resolve(items.map((i) => `r${i}`));
      },
      { maxInFlight: 1, maxBatch: 10 },
    );
    const first = group.submit(1); // runs alone; the others queue behind it
    const results = Promise.allSettled([2, 3, 4].map((i) => group.submit(i)));
    await first;
    expect(await results).toEqual([
      { status: 'fulfilled', value: 'r2' },
      { status: 'rejected', reason: bad },
      { status: 'fulfilled', value: 'r4' },
    ]);
    expect(batches).toEqual([[1], [2, 3, 4], [2], [3], [4]]);
  });

  it('fails the items of a run that answers fewer results than items, never handing out a wrong one', async () => {
    const batches: number[][] = [];
    const group = new GroupCommit(
      (items: number[]) => {
        batches.push(items);
        return Promise.resolve(items.slice(1).map((i) => `r${i}`));
      },
      { maxInFlight: 1, maxBatch: 10 },
    );
    const results = await Promise.allSettled([1, 2, 3].map((i) => group.submit(i)));
    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : r.value))).toEqual([
      'group commit: 0 results for 1 items',
      'group commit: 0 results for 1 items',
      'group commit: 0 results for 1 items',
    ]);
    expect(batches).toEqual([[1], [2, 3], [2], [3]]);
  });

  it('keeps going after a failure: the next batch runs', async () => {
    const { calls, run } = controlledRun();
    const group = new GroupCommit(run, { maxInFlight: 1, maxBatch: 10 });
    const failing = group.submit(1);
    const next = group.submit(2);
    calls[0]?.fail(new Error('connection lost'));
    await expect(failing).rejects.toThrow('connection lost');
    await flush();
    calls[1]?.finish();
    await expect(next).resolves.toBe('r2');
  });
});
