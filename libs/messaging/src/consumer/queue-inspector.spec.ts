import type { ChannelModel } from 'amqplib';
import { QueueInspector } from './queue-inspector.js';
import { auditTopology } from '../testing/consumer-fixtures.js';

const topology = auditTopology([1000, 30000]);

/** A broker connection whose channels answer checkQueue from `counts` and can be closed from outside. */
function fakeBroker(counts: Record<string, number>) {
  const opened: { close: () => void; closed: boolean }[] = [];
  const connection = {
    createChannel: () => {
      const listeners: Record<string, () => void> = {};
      const channel = {
        closed: false,
        on: (name: string, listener: () => void) => (listeners[name] = listener),
        checkQueue: (queue: string) => Promise.resolve({ queue, messageCount: counts[queue] ?? 0, consumerCount: 0 }),
        close: () => {
          channel.closed = true;
          listeners.close?.();
          return Promise.resolve();
        },
      };
      opened.push(channel);
      return Promise.resolve(channel);
    },
  };
  return { connection: connection as unknown as ChannelModel, opened };
}

describe('QueueInspector', () => {
  it('reads main, dlq and each retry queue on one channel of its own', async () => {
    const broker = fakeBroker({ 'audit.events': 4, 'audit.events.dlq': 1, 'audit.events.retry.30s': 2 });
    const inspector = new QueueInspector({ current: () => broker.connection }, topology);
    expect(await inspector.depths()).toEqual({ main: 4, dlq: 1, 'retry.1s': 0, 'retry.30s': 2 });
    await inspector.depths();
    expect(broker.opened).toHaveLength(1);
  });

  it('opens a new channel after its own was closed, and closes it at shutdown', async () => {
    const broker = fakeBroker({});
    const inspector = new QueueInspector({ current: () => broker.connection }, topology);
    await inspector.depths();
    broker.opened[0].close();
    await inspector.depths();
    expect(broker.opened).toHaveLength(2);
    await inspector.close();
    expect(broker.opened[1].closed).toBe(true);
  });

  it('refuses while the broker is not connected', async () => {
    const inspector = new QueueInspector({ current: () => undefined }, topology);
    await expect(inspector.depths()).rejects.toThrow('broker not connected');
  });
});
