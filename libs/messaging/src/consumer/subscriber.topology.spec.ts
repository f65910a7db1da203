import { queueArguments, subscriberTopology } from './subscriber.topology.js';

describe('subscriberTopology', () => {
  const topology = subscriberTopology({
    subscriber: 'analytics',
    exchange: 'bank.events',
    bindings: ['transfer.completed', 'transfer.completed', 'deposit.completed'],
    retryDelaysMs: [500, 5000, 5000],
    deliveryLimit: 7,
  });

  it('derives every queue name from the subscriber', () => {
    expect(topology.queue).toBe('analytics.events');
    expect(topology.deadLetterQueue).toBe('analytics.events.dlq');
    expect(topology.retryQueues).toEqual([
      { delayMs: 500, name: 'analytics.events.retry.500ms' },
      { delayMs: 5000, name: 'analytics.events.retry.5s' },
    ]);
    expect(topology.retryDelaysMs).toEqual([500, 5000, 5000]);
    expect(topology.bindings).toEqual(['transfer.completed', 'deposit.completed']);
  });

  it('dead-letters the main queue into the DLQ and the retry queues back into the main queue', () => {
    const args = queueArguments(topology);
    expect(args.main).toEqual({
      'x-queue-type': 'quorum',
      'x-delivery-limit': 7,
      'x-dead-letter-exchange': '',
      'x-dead-letter-routing-key': 'analytics.events.dlq',
    });
    expect(args.retry(500)).toEqual({
      'x-message-ttl': 500,
      'x-dead-letter-exchange': '',
      'x-dead-letter-routing-key': 'analytics.events',
    });
  });

  it('refuses names and settings that would break the topology', () => {
    const base = { exchange: 'bank.events', bindings: ['#'], retryDelaysMs: [1000], deliveryLimit: 5 };
    expect(() => subscriberTopology({ ...base, subscriber: 'Bad Name' })).toThrow(/Invalid subscriber/);
    expect(() => subscriberTopology({ ...base, subscriber: 'ok', bindings: [] })).toThrow(/no routing pattern/);
    expect(() => subscriberTopology({ ...base, subscriber: 'ok', retryDelaysMs: [0] })).toThrow(/positive/);
  });
});
