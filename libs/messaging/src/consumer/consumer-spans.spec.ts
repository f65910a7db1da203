import { jest } from '@jest/globals';
import type { Span } from '@opentelemetry/api';
import type { Channel, ConsumeMessage } from 'amqplib';
import { otpLocked } from '../testing/consumer-fixtures.js';
import { endSpanAfter, inProcessSpans, processSpan } from './consumer-spans.js';

// Tracing is off in unit tests (no SDK): these hold the plumbing, the spans' content is held by the tracing e2e test.
describe('consumer spans', () => {
  const event = otpLocked();
  const delivery = {
    channel: {} as Channel,
    message: {
      fields: { exchange: 'bank.events', routingKey: event.type, redelivered: false },
      properties: { headers: {} },
    } as unknown as ConsumeMessage,
    event,
  };

  it('gives the transaction its result back, in one span or in a batch span', async () => {
    const span = processSpan(delivery, 1, 'audit');
    await expect(inProcessSpans([span], 'audit', () => Promise.resolve(1))).resolves.toBe(1);
    await expect(inProcessSpans([span, processSpan(delivery, 2, 'audit')], 'audit', () => Promise.resolve(2))).resolves.toBe(2);
    await expect(inProcessSpans([span, span], 'audit', () => Promise.reject(new Error('rolled back')))).rejects.toThrow('rolled back');
  });

  it('ends the span after the log line it frames, and logs without one', () => {
    const end = jest.fn();
    const span = { end, spanContext: () => ({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 }) } as unknown as Span;
    const logged: string[] = [];
    endSpanAfter(span, () => logged.push(end.mock.calls.length === 0 ? 'before end' : 'after end'));
    endSpanAfter(undefined, () => logged.push('no span'));
    expect(logged).toEqual(['before end', 'no span']);
    expect(end).toHaveBeenCalledTimes(1);
  });
});
