export interface EventuallyOptions {
  /** How long to keep trying (default 15 s). */
  timeoutMs?: number;
  /** The pause between two tries (default 50 ms). */
  intervalMs?: number;
  /** What is awaited, for the failure message. */
  what?: string;
}

/**
 * Polls `probe` until its value is accepted, and returns that value; after the deadline it fails with
 * the last value (or error) seen. `done` decides what is accepted; without it, any value but undefined
 * and false is. A probe that throws is tried again: what a test waits for is often not there yet
 * (an app still starting, a row not yet written).
 */
export async function eventually<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options?: EventuallyOptions,
): Promise<T>;
export async function eventually<T>(probe: () => Promise<T> | T, done: (value: T) => boolean, options?: EventuallyOptions): Promise<T>;
export async function eventually<T>(
  probe: () => Promise<T> | T,
  doneOrOptions?: ((value: T) => boolean) | EventuallyOptions,
  maybeOptions: EventuallyOptions = {},
): Promise<T> {
  const done = typeof doneOrOptions === 'function' ? doneOrOptions : (value: T) => value !== undefined && value !== false;
  const {
    timeoutMs = 15_000,
    intervalMs = 50,
    what = 'the condition',
  } = (typeof doneOrOptions === 'function' ? maybeOptions : doneOrOptions) ?? {};
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (done(value)) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const seen = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`${what} not met within ${timeoutMs} ms; last: ${seen}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
