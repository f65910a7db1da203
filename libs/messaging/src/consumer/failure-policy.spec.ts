import { DomainError } from '@bank/contracts';
import { nextStep, retriesSoFar } from './failure-policy.js';
import { RetryLaterError, UnprocessableEventError } from './inbound-event-handler.js';
import { subscriberTopology } from './subscriber.topology.js';

const topology = subscriberTopology({
  subscriber: 'audit',
  exchange: 'bank.events',
  bindings: ['#'],
  retryDelaysMs: [1000, 5000, 30000],
  deliveryLimit: 10,
});

describe('nextStep', () => {
  it('retries a transient failure with growing delays, then parks it', () => {
    const error = new RetryLaterError('phone unknown');
    expect(nextStep(error, 0, topology)).toEqual({ action: 'retry', queue: 'audit.events.retry.1s', delayMs: 1000, retry: 1 });
    expect(nextStep(error, 1, topology)).toEqual({ action: 'retry', queue: 'audit.events.retry.5s', delayMs: 5000, retry: 2 });
    expect(nextStep(error, 2, topology)).toEqual({ action: 'retry', queue: 'audit.events.retry.30s', delayMs: 30000, retry: 3 });
    expect(nextStep(error, 3, topology)).toEqual({ action: 'park', reason: 'gave up after 3 retries: phone unknown' });
  });

  it('treats an unexpected error (database down, bug) as transient', () => {
    expect(nextStep(new Error('connect ECONNREFUSED'), 0, topology)).toMatchObject({ action: 'retry' });
  });

  it('parks at once what no retry can fix', () => {
    expect(nextStep(new UnprocessableEventError('bad'), 0, topology)).toEqual({ action: 'park', reason: 'unprocessable: bad' });
    expect(nextStep(new DomainError('VALIDATION_FAILED', 'nope'), 0, topology)).toEqual({
      action: 'park',
      reason: 'VALIDATION_FAILED: nope',
    });
    expect(nextStep(new DomainError('SERVICE_UNAVAILABLE'), 0, topology)).toMatchObject({ action: 'retry' });
  });
});

describe('retriesSoFar', () => {
  it('reads the retry header and ignores garbage', () => {
    expect(retriesSoFar(undefined)).toBe(0);
    expect(retriesSoFar({ 'x-retry-count': 2 })).toBe(2);
    expect(retriesSoFar({ 'x-retry-count': '2' })).toBe(2);
    expect(retriesSoFar({ 'x-retry-count': -1 })).toBe(0);
    expect(retriesSoFar({ 'x-retry-count': 'x' })).toBe(0);
  });
});
