import type { Channel, ConsumeMessage } from 'amqplib';
import { EventTypes } from '@bank/contracts';
import type { SqlRunner } from '@bank/database';
import { otpLocked, otpVerified } from '../testing/consumer-fixtures.js';
import type { DecodedDelivery } from './delivery.js';
import { EventRoutes, firstOfEachEvent } from './event-routes.js';
import { ALL_EVENTS, OnEvents, type InboundEvent, type InboundEventHandler } from './inbound-event-handler.js';

const seen: { handler: string; ids: string[] }[] = [];

@OnEvents(EventTypes.OtpLocked)
class LockedHandler implements InboundEventHandler {
  handle(events: readonly InboundEvent[]): Promise<void> {
    seen.push({ handler: 'locked', ids: events.map((e) => e.id) });
    return Promise.resolve();
  }
}

@OnEvents(ALL_EVENTS)
class EverythingHandler implements InboundEventHandler {
  handle(events: readonly InboundEvent[]): Promise<void> {
    seen.push({ handler: 'all', ids: events.map((e) => e.id) });
    return Promise.resolve();
  }
}

const locked = otpLocked;
const verified = otpVerified;
const delivery = (event: InboundEvent, retries = 0): DecodedDelivery => ({
  channel: {} as Channel,
  message: { fields: { redelivered: false }, properties: { headers: { 'x-retry-count': retries } } } as unknown as ConsumeMessage,
  event,
});

/** A transaction whose inbox already holds `known` (ids as Postgres returns them: any case). */
function inboxTx(known: string[]) {
  const claims: unknown[][] = [];
  const tx = {
    rows: (_sql: string, params: unknown[]) => {
      claims.push(params);
      const ids = params[1] as string[];
      return Promise.resolve(ids.filter((id) => !known.includes(id.toLowerCase())).map((id) => ({ event_id: id.toUpperCase() })));
    },
  };
  return { tx: tx as unknown as SqlRunner, claims };
}

describe('EventRoutes', () => {
  beforeEach(() => (seen.length = 0));

  it('takes the types its handlers declare', () => {
    expect(new EventRoutes([new LockedHandler()]).takes(EventTypes.OtpLocked)).toBe(true);
    expect(new EventRoutes([new LockedHandler()]).takes(EventTypes.OtpVerified)).toBe(false);
    expect(new EventRoutes([new LockedHandler(), new EverythingHandler()]).takes('anything.at_all')).toBe(true);
  });

  it('claims each event once in the inbox and gives each handler only the new ones of its types, in order', async () => {
    const [a, b, old] = [locked(), verified(), locked()];
    const { tx, claims } = inboxTx([old.id]);
    const routes = new EventRoutes([new LockedHandler(), new EverythingHandler()]);
    const fresh = await routes.claimAndApply(tx, { schema: 'audit', subscriber: 'audit' }, [
      delivery(a),
      delivery(b, 2),
      delivery(old),
      delivery(a, 1),
    ]);
    // A second copy of an event in the batch: its row counts the later attempt.
    expect(claims).toEqual([['audit', [a.id, b.id, old.id], [a.type, b.type, old.type], [2, 3, 1]]]);
    expect(fresh).toEqual(new Set([a.id, b.id]));
    expect(seen).toEqual([
      { handler: 'locked', ids: [a.id] },
      { handler: 'all', ids: [a.id, b.id] },
    ]);
  });

  it('calls no handler when every event was seen before', async () => {
    const a = locked();
    const { tx } = inboxTx([a.id]);
    await new EventRoutes([new LockedHandler()]).claimAndApply(tx, { schema: 'audit', subscriber: 'audit' }, [delivery(a)]);
    expect(seen).toEqual([]);
  });
});

describe('firstOfEachEvent', () => {
  it('keeps the first delivery of an id, whatever its case', () => {
    const a = locked();
    const first = delivery(a);
    const upper = delivery({ ...a, id: a.id.toUpperCase() });
    expect(firstOfEachEvent([first, upper])).toEqual([first]);
  });
});
