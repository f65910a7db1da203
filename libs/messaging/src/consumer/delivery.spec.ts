import { jest } from '@jest/globals';
import type { Channel, ConsumeMessage } from 'amqplib';
import { ack, ackAll, nack, type Delivery } from './delivery.js';

const fakeChannel = () => ({ ack: jest.fn(), nack: jest.fn() });
const delivery = (channel: ReturnType<typeof fakeChannel>, deliveryTag: number): Delivery => ({
  channel: channel as unknown as Channel,
  message: { fields: { deliveryTag } } as unknown as ConsumeMessage,
});

describe('ackAll', () => {
  it('acks once per channel, all up to its highest delivery tag', () => {
    const one = fakeChannel();
    const two = fakeChannel();
    const batch = [delivery(one, 3), delivery(two, 7), delivery(one, 5), delivery(one, 4), delivery(two, 6)];
    ackAll(batch);
    expect(one.ack.mock.calls).toEqual([[batch[2].message, true]]);
    expect(two.ack.mock.calls).toEqual([[batch[1].message, true]]);
  });

  it('survives a channel that is gone (its messages come back; the inbox makes that harmless)', () => {
    const gone = fakeChannel();
    gone.ack.mockImplementation(() => {
      throw new Error('Channel closed');
    });
    const live = fakeChannel();
    expect(() => ackAll([delivery(gone, 1), delivery(live, 2)])).not.toThrow();
    expect(live.ack).toHaveBeenCalledTimes(1);
  });
});

describe('ack and nack', () => {
  it('settle one message, requeued or not', () => {
    const channel = fakeChannel();
    const d = delivery(channel, 9);
    ack(d);
    nack(d, true);
    nack(d, false);
    expect(channel.ack.mock.calls).toEqual([[d.message]]);
    expect(channel.nack.mock.calls).toEqual([
      [d.message, false, true],
      [d.message, false, false],
    ]);
  });

  it('swallow a closed channel', () => {
    const channel = fakeChannel();
    channel.ack.mockImplementation(() => {
      throw new Error('Channel closed');
    });
    channel.nack.mockImplementation(() => {
      throw new Error('Channel closed');
    });
    expect(() => ack(delivery(channel, 1))).not.toThrow();
    expect(() => nack(delivery(channel, 1), true)).not.toThrow();
  });
});
