/**
 * Group commit: callers submit one item each; items that arrive while `maxInFlight` batches are
 * already running wait and go together as the next batch, one statement and one commit for all of
 * them. Nothing waits on a timer: an idle system runs each item at once, a busy one batches as
 * much as the database is behind, so the batch size follows the load.
 *
 * `run` gets the items and answers one result per item, in order. If a batch of several fails,
 * each item is run again on its own, so one bad item cannot fail the others.
 */
export class GroupCommit<I, O> {
  private queue: { item: I; resolve: (out: O) => void; reject: (error: unknown) => void }[] = [];
  private inFlight = 0;

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly options: { maxInFlight: number; maxBatch: number },
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight += 1;
      void this.runBatch(batch).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  private async runBatch(batch: GroupCommit<I, O>['queue']): Promise<void> {
    try {
      const results = await this.runChecked(batch.map((b) => b.item));
      batch.forEach((b, i) => b.resolve(results[i]));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      await Promise.all(
        batch.map(async (b) => {
          try {
            const [result] = await this.runChecked([b.item]);
            b.resolve(result);
          } catch (single) {
            b.reject(single);
          }
        }),
      );
    }
  }

  private async runChecked(items: I[]): Promise<O[]> {
    const results = await this.run(items);
    if (results.length !== items.length) throw new Error(`group commit: ${results.length} results for ${items.length} items`);
    return results;
  }
}
