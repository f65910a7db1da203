import type { SqlRunner } from '@bank/database';
import { inboxClaimSql } from '../inbox/inbox.sql.js';
import type { DecodedDelivery } from './delivery.js';
import { attemptOf } from './failure-policy.js';
import { ALL_EVENTS, handledEventTypes, inEventContext, type InboundEventHandler } from './inbound-event-handler.js';

interface Route {
  handler: InboundEventHandler;
  takes(type: string): boolean;
}

/** The subscriber's handlers, each with the event types its @OnEvents declares. */
export class EventRoutes {
  private readonly routes: Route[];

  constructor(handlers: readonly InboundEventHandler[]) {
    this.routes = handlers.map((handler) => {
      const types = handledEventTypes(handler.constructor);
      return { handler, takes: (type: string) => types.includes(ALL_EVENTS) || types.includes(type) };
    });
  }

  /** True when some handler takes this type; an event no one takes is parked. */
  takes(type: string): boolean {
    return this.routes.some((r) => r.takes(type));
  }

  /**
   * In `tx`: records the events in the inbox, then hands the ones it had not seen to each handler
   * (its types, in delivery order). Returns the lower-cased ids that were new.
   */
  async claimAndApply(
    tx: SqlRunner,
    inbox: { schema: string; subscriber: string },
    deliveries: readonly DecodedDelivery[],
  ): Promise<Set<string>> {
    const events = firstOfEachEvent(deliveries).map((d) => d.event);
    // Two copies of one event in a batch: the inbox row counts the later attempt.
    const attempts = new Map<string, number>();
    for (const d of deliveries) {
      const id = d.event.id.toLowerCase();
      attempts.set(id, Math.max(attempts.get(id) ?? 0, attemptOf(d.message)));
    }
    const claimed = await tx.rows<{ event_id: string }>(inboxClaimSql(inbox.schema), [
      inbox.subscriber,
      events.map((e) => e.id),
      events.map((e) => e.type),
      events.map((e) => attempts.get(e.id.toLowerCase()) ?? 1),
    ]);
    const fresh = new Set(claimed.map((r) => r.event_id.toLowerCase()));
    const work = events.filter((e) => fresh.has(e.id.toLowerCase()));
    for (const route of this.routes) {
      const mine = work.filter((e) => route.takes(e.type));
      if (mine.length === 0) continue;
      await inEventContext(mine[0], () => route.handler.handle(mine, tx));
    }
    return fresh;
  }
}

/** The first delivery of each event id (ids compared lower-cased, as Postgres compares uuids). */
export function firstOfEachEvent(deliveries: readonly DecodedDelivery[]): DecodedDelivery[] {
  const unique = new Map<string, DecodedDelivery>();
  for (const d of deliveries) {
    const id = d.event.id.toLowerCase();
    if (!unique.has(id)) unique.set(id, d);
  }
  return [...unique.values()];
}
