import { context, trace, type Context, type SpanContext } from '@opentelemetry/api';
import { inSpan, isTracing } from '@bank/common';

/**
 * Group commit: callers submit one item each; items that arrive while `maxInFlight` batches are
 * already running wait and go together as the next batch, one statement and one commit for all of
 * them. Nothing waits on a timer: an idle system runs each item at once, a busy one batches as
 * much as the database is behind, so the batch size follows the load.
 *
 * `run` gets the items and answers one result per item, in order. If a batch of several fails,
 * each item is run again on its own, so one bad item cannot fail the others.
 *
 * Tracing: each item keeps the context it was submitted in (`contexts`, beside the items, for work
 * that must be attributed per item, like the outbox's producer contexts). A batch runs in its first
 * item's context; a batch of several is a span of its own there, linked to the others' spans.
 */
export class GroupCommit<I, O> {
  private queue: { item: I; ctx: Context; resolve: (out: O) => void; reject: (error: unknown) => void }[] = [];
  private inFlight = 0;

  constructor(
    private readonly run: (items: I[], contexts: Context[]) => Promise<O[]>,
    private readonly options: { maxInFlight: number; maxBatch: number },
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, ctx: context.active(), resolve, reject });
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
      const results = await this.runChecked(batch);
      batch.forEach((b, i) => b.resolve(results[i]));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      await Promise.all(
        batch.map(async (b) => {
          try {
            const [result] = await this.runChecked([b]);
            b.resolve(result);
          } catch (single) {
            b.reject(single);
          }
        }),
      );
    }
  }

  private async runChecked(batch: GroupCommit<I, O>['queue']): Promise<O[]> {
    const items = batch.map((b) => b.item);
    const contexts = batch.map((b) => b.ctx);
    const results = await context.with(contexts[0], () =>
      isTracing() && batch.length > 1
        ? inSpan('group commit', { attributes: { 'bank.batch_size': batch.length }, links: contexts.slice(1).flatMap(linkTo) }, () =>
            this.run(items, contexts),
          )
        : this.run(items, contexts),
    );
    if (results.length !== items.length) throw new Error(`group commit: ${results.length} results for ${items.length} items`);
    return results;
  }
}

function linkTo(ctx: Context): { context: SpanContext }[] {
  const spanContext = trace.getSpanContext(ctx);
  return spanContext ? [{ context: spanContext }] : [];
}
