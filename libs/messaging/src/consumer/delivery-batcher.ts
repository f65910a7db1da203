/**
 * Gathers deliveries into batches of up to `size` and hands them to `process` one batch at a time,
 * oldest first. The first delivery of a round waits `windowMs` for others (a full batch goes at
 * once): a few milliseconds more lag for a fraction of the round trips and commits per event.
 */
export class DeliveryBatcher<T> {
  private buffer: T[] = [];
  private batchFull?: () => void;
  private processing?: Promise<void>;

  constructor(
    private readonly size: number,
    private readonly windowMs: number,
    private readonly process: (batch: T[]) => Promise<void>,
    /** Not reached in normal operation (`process` settles every delivery); the batch's messages come back. */
    private readonly onCrash: (error: unknown) => void,
  ) {}

  push(item: T): void {
    this.buffer.push(item);
    if (this.buffer.length >= this.size) this.batchFull?.();
    this.schedule();
  }

  /** Forgets buffered deliveries that will come back anyway (their channel closed). */
  drop(unwanted: (item: T) => boolean): void {
    this.buffer = this.buffer.filter((item) => !unwanted(item));
  }

  /** Resolves once everything received so far is processed. */
  async drained(): Promise<void> {
    while (this.processing) await this.processing;
  }

  private schedule(): void {
    if (this.processing) return;
    this.processing = this.loop().finally(() => {
      this.processing = undefined;
      if (this.buffer.length > 0) this.schedule();
    });
  }

  private async loop(): Promise<void> {
    if (this.buffer.length < this.size) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.batchFull = undefined;
          resolve();
        }, this.windowMs);
        this.batchFull = () => {
          clearTimeout(timer);
          this.batchFull = undefined;
          resolve();
        };
      });
    }
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.size);
      try {
        await this.process(batch);
      } catch (error) {
        this.onCrash(error);
      }
    }
  }
}
