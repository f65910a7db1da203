import { jest } from '@jest/globals';
import type { Channel, ConsumeMessage } from 'amqplib';
import { DomainError } from '@bank/contracts';
import { auditTopology, otpLocked } from '../testing/consumer-fixtures.js';
import type { DecodedDelivery } from './delivery.js';
import { PARK_REASON_HEADER, PUBLISHED_BY_HEADER, RETRY_COUNT_HEADER } from './failure-policy.js';
import { RetryLaterError } from './inbound-event-handler.js';
import { type EventFailure, republishOptions, RetryOrPark } from './retry-or-park.js';

const topology = auditTopology([1000, 5000]);

function setup(publishFails = false, recordFails = false) {
  const channel = { ack: jest.fn(), nack: jest.fn() };
  const published: { queue: string; headers: Record<string, unknown> | undefined; userId: string | undefined }[] = [];
  const amqp = {
    user: 'bank_audit',
    publish: (_exchange: string, queue: string, _content: Buffer, options: { headers?: Record<string, unknown>; userId?: string }) => {
      if (publishFails) return Promise.reject(new Error('broker nacked'));
      published.push({ queue, headers: options.headers, userId: options.userId });
      return Promise.resolve();
    },
  };
  const recorded: EventFailure[] = [];
  const warnings: unknown[] = [];
  const record = (failure: EventFailure) =>
    recordFails ? Promise.reject(new Error('database down')) : (recorded.push(failure), Promise.resolve());
  const failures = new RetryOrPark({
    subscriber: 'audit',
    topology,
    amqp,
    logger: { warn: (w: unknown) => void warnings.push(w), error: () => undefined },
    record,
  });
  const event = otpLocked();
  const delivery = (headers: Record<string, unknown> = {}): DecodedDelivery => ({
    channel: channel as unknown as Channel,
    message: {
      content: Buffer.from(JSON.stringify(event)),
      fields: { deliveryTag: 1 },
      properties: { headers, userId: 'bank_auth', messageId: event.id },
    } as unknown as ConsumeMessage,
    event,
  });
  return { channel, published, failures, delivery, event, recorded, warnings };
}

describe('RetryOrPark', () => {
  it('sends a failing event to the next retry queue with its count, then acks the original', async () => {
    const { channel, published, failures, delivery } = setup();
    const first = delivery();
    await failures.fail(first, new RetryLaterError('not yet'));
    const again = delivery({ [RETRY_COUNT_HEADER]: 1 });
    await failures.fail(again, new RetryLaterError('not yet'));
    expect(published).toEqual([
      {
        queue: 'audit.events.retry.1s',
        userId: 'bank_audit',
        headers: expect.objectContaining({ [RETRY_COUNT_HEADER]: 1, 'x-last-error': 'not yet' }),
      },
      { queue: 'audit.events.retry.5s', userId: 'bank_audit', headers: expect.objectContaining({ [RETRY_COUNT_HEADER]: 2 }) },
    ]);
    expect(published[0].headers?.[PUBLISHED_BY_HEADER]).toBe('bank_auth');
    expect(channel.ack.mock.calls).toEqual([[first.message], [again.message]]);
  });

  it('parks an event whose retries are used up, or that no retry can fix', async () => {
    const { channel, published, failures, delivery } = setup();
    await failures.fail(delivery({ [RETRY_COUNT_HEADER]: 2 }), new RetryLaterError('still not'));
    await failures.fail(delivery(), new DomainError('VALIDATION_FAILED', 'bad'));
    expect(published.map((p) => [p.queue, p.headers?.[PARK_REASON_HEADER], p.headers?.['x-parked-by']])).toEqual([
      ['audit.events.dlq', 'gave up after 2 retries: still not', 'audit'],
      ['audit.events.dlq', 'VALIDATION_FAILED: bad', 'audit'],
    ]);
    expect(channel.ack).toHaveBeenCalledTimes(2);
  });

  it('gives a message back when the broker does not take the copy: requeued for a retry, dead-lettered by the broker for a park', async () => {
    const { channel, failures, delivery } = setup(true);
    const retried = delivery();
    await failures.fail(retried, new RetryLaterError('not yet'));
    const parked = delivery();
    await failures.park(parked, 'malformed: body is not JSON');
    expect(channel.ack).not.toHaveBeenCalled();
    expect(channel.nack.mock.calls).toEqual([
      [retried.message, false, true],
      [parked.message, false, false],
    ]);
  });
});

describe('RetryOrPark records where a failed event went', () => {
  it('records retrying with the attempts so far and the code, then parked with the reason, never the message', async () => {
    const { failures, delivery, event, recorded } = setup();
    await failures.fail(delivery(), new RetryLaterError('alice unknown'));
    await failures.fail(delivery({ [RETRY_COUNT_HEADER]: 2 }), Object.assign(new Error('serialization of alice'), { code: '40001' }));
    expect(recorded).toEqual([
      { eventId: event.id, eventType: event.type, state: 'retrying', attempts: 1, errorCode: 'RetryLaterError' },
      { eventId: event.id, eventType: event.type, state: 'parked', attempts: 3, errorCode: '40001', reason: 'gave up after 2 retries' },
    ]);
    expect(JSON.stringify(recorded)).not.toContain('alice');
  });

  it('records nothing for a message parked before it was decoded (screening): no event it could be about', async () => {
    const { failures, delivery, recorded } = setup();
    await failures.park(delivery(), 'malformed: body is not JSON');
    expect(recorded).toEqual([]);
  });

  it('moves the message even when the record cannot be written, and says so', async () => {
    const { channel, published, failures, delivery, warnings } = setup(false, true);
    await failures.fail(delivery(), new RetryLaterError('not yet'));
    expect(published.map((p) => p.queue)).toEqual(['audit.events.retry.1s']);
    expect(channel.ack).toHaveBeenCalledTimes(1);
    expect(warnings).toContainEqual(expect.objectContaining({ msg: 'could not record the event failure', err: 'database down' }));
  });
});

describe('republishOptions', () => {
  const properties = (userId: string | undefined, headers: Record<string, unknown> = {}) =>
    ({ userId, headers, messageId: 'm1', contentType: 'application/json' }) as unknown as Parameters<typeof republishOptions>[0];

  it('stamps the subscriber as userId and keeps the original publisher in the header', () => {
    const options = republishOptions(properties('bank_orchestrator', { 'x-delivery-count': 3 }), 'bank_audit', { 'x-retry-count': 1 });
    expect(options.userId).toBe('bank_audit');
    expect(options.headers).toEqual({ [PUBLISHED_BY_HEADER]: 'bank_orchestrator', 'x-retry-count': 1 });
    // Moved again (a second retry): still the original publisher.
    const again = republishOptions(properties('bank_audit', options.headers), 'bank_audit', { 'x-retry-count': 2 });
    expect(again.headers?.[PUBLISHED_BY_HEADER]).toBe('bank_orchestrator');
  });

  it('drops a published-by header that came from outside', () => {
    const forged = republishOptions(properties('bank_analytics', { [PUBLISHED_BY_HEADER]: 'bank_orchestrator' }), 'bank_audit', {});
    expect(forged.headers?.[PUBLISHED_BY_HEADER]).toBe('bank_analytics');
    const unnamed = republishOptions(properties(undefined, { [PUBLISHED_BY_HEADER]: 'bank_orchestrator' }), 'bank_audit', {});
    expect(unnamed.headers).not.toHaveProperty(PUBLISHED_BY_HEADER);
  });
});
