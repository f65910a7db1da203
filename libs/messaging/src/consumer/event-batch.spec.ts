import { jest } from '@jest/globals';
import type { Channel, ConsumeMessage } from 'amqplib';
import { EventTypes } from '@bank/contracts';
import type { SqlRunner } from '@bank/database';
import { otpLocked } from '../testing/consumer-fixtures.js';
import type { Delivery } from './delivery.js';
import { EventBatch } from './event-batch.js';
import { EventRoutes } from './event-routes.js';
import { OnEvents, type InboundEvent, type InboundEventHandler } from './inbound-event-handler.js';

/** Event ids the handler throws on, as a bug or a missing dependency would. */
const poisoned = new Set<string>();
const applied: string[] = [];

@OnEvents(EventTypes.OtpLocked)
class LockedHandler implements InboundEventHandler {
  handle(events: readonly InboundEvent[]): Promise<void> {
    const bad = events.find((e) => poisoned.has(e.id));
    if (bad) return Promise.reject(new Error(`cannot apply ${bad.id}`));
    applied.push(...events.map((e) => e.id));
    return Promise.resolve();
  }
}

function setup() {
  const channel = { ack: jest.fn(), nack: jest.fn() };
  const inbox = new Set<string>();
  let transactions = 0;
  // A transaction's inbox rows are kept only when it commits (the handler did not throw).
  const db = {
    transaction: async <T>(work: (tx: SqlRunner) => Promise<T>): Promise<T> => {
      transactions++;
      const claimed = new Set<string>();
      const tx = {
        rows: (_sql: string, params: unknown[]) => {
          const fresh = (params[1] as string[]).filter((id) => !inbox.has(id));
          fresh.forEach((id) => claimed.add(id));
          return Promise.resolve(fresh.map((id) => ({ event_id: id })));
        },
      } as unknown as SqlRunner;
      const result = await work(tx);
      claimed.forEach((id) => inbox.add(id));
      return result;
    },
  };
  const failed: string[] = [];
  const parked: string[] = [];
  const failures = {
    fail: (d: { event: InboundEvent }) => (failed.push(d.event.id), Promise.resolve()),
    park: (_d: Delivery, reason: string) => (parked.push(reason), Promise.resolve()),
  };
  const batch = new EventBatch({
    subscriber: 'audit',
    schema: 'audit',
    rolePrefix: 'bank_',
    self: 'bank_audit',
    db,
    routes: new EventRoutes([new LockedHandler()]),
    failures,
    logger: { log: () => undefined, warn: () => undefined },
  });
  let tag = 0;
  const delivery = (body: unknown, userId = 'bank_auth'): Delivery => ({
    channel: channel as unknown as Channel,
    message: {
      content: Buffer.from(JSON.stringify(body)),
      fields: { deliveryTag: ++tag, exchange: 'bank.events', routingKey: 'x', redelivered: false },
      properties: { headers: {}, userId },
    } as unknown as ConsumeMessage,
  });
  return { batch, channel, inbox, failed, parked, delivery, transactions: () => transactions };
}

const locked = otpLocked;
const all = () => true;

describe('EventBatch', () => {
  beforeEach(() => {
    poisoned.clear();
    applied.length = 0;
  });

  it('applies a batch in one transaction and acks it once, after the commit', async () => {
    const { batch, channel, inbox, delivery, transactions } = setup();
    const events = [locked(), locked(), locked()];
    const deliveries = events.map((e) => delivery(e));
    await batch.process(deliveries, all);
    expect(transactions()).toBe(1);
    expect([...inbox]).toEqual(events.map((e) => e.id));
    expect(channel.ack.mock.calls).toEqual([[deliveries[2].message, true]]);
  });

  it('parks what cannot be applied ever before the transaction, and applies the rest', async () => {
    const { batch, inbox, parked, delivery } = setup();
    const good = locked();
    await batch.process([delivery('not an envelope'), delivery(locked(), 'bank_analytics'), delivery(good)], all);
    expect(parked).toEqual([expect.stringMatching(/^malformed: /), expect.stringMatching(/^untrusted publisher: /)]);
    expect([...inbox]).toEqual([good.id]);
  });

  it('applies the events of a failed batch one by one: one bad event costs its neighbours nothing', async () => {
    const { batch, channel, inbox, failed, delivery, transactions } = setup();
    const [a, bad, c] = [locked(), locked(), locked()];
    poisoned.add(bad.id);
    await batch.process(
      [a, bad, c].map((e) => delivery(e)),
      all,
    );
    expect(transactions()).toBe(4);
    expect([...inbox]).toEqual([a.id, c.id]);
    expect(failed).toEqual([bad.id]);
    expect(channel.ack).toHaveBeenCalledTimes(2);
  });

  it('acks a duplicate without applying it again', async () => {
    const { batch, channel, delivery, transactions } = setup();
    const a = locked();
    await batch.process([delivery(a)], all);
    await batch.process([delivery(a)], all);
    expect(applied).toEqual([a.id]);
    expect(transactions()).toBe(2);
    expect(channel.ack).toHaveBeenCalledTimes(2);
  });

  it('leaves alone the deliveries it is told are no longer wanted (their channel closed)', async () => {
    const { batch, channel, inbox, delivery, transactions } = setup();
    await batch.process([delivery(locked())], () => false);
    expect(transactions()).toBe(0);
    expect(inbox.size).toBe(0);
    expect(channel.ack).not.toHaveBeenCalled();
  });
});
