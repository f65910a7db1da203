import { DomainError } from '@bank/contracts';
import { asyncApiDocument } from '../asyncapi/asyncapi.document.js';
import { auditTopology } from '../testing/consumer-fixtures.js';
import {
  attemptOf,
  failureCodeOf,
  nextStep,
  PARK_REASON_HEADER,
  PUBLISHED_BY_HEADER,
  publisherOf,
  RETRY_COUNT_HEADER,
  retriesSoFar,
} from './failure-policy.js';
import { RetryLaterError, UnprocessableEventError } from './inbound-event-handler.js';

const topology = auditTopology();

describe('nextStep', () => {
  it('retries a transient failure with growing delays, then parks it', () => {
    const error = new RetryLaterError('phone unknown');
    expect(nextStep(error, 0, topology)).toEqual({ action: 'retry', queue: 'audit.events.retry.1s', delayMs: 1000, retry: 1 });
    expect(nextStep(error, 1, topology)).toEqual({ action: 'retry', queue: 'audit.events.retry.5s', delayMs: 5000, retry: 2 });
    expect(nextStep(error, 2, topology)).toEqual({ action: 'retry', queue: 'audit.events.retry.30s', delayMs: 30000, retry: 3 });
    expect(nextStep(error, 3, topology)).toEqual({
      action: 'park',
      reason: 'gave up after 3 retries: phone unknown',
      recorded: 'gave up after 3 retries',
    });
  });

  it('treats an unexpected error (database down, bug) as transient', () => {
    expect(nextStep(new Error('connect ECONNREFUSED'), 0, topology)).toMatchObject({ action: 'retry' });
  });

  it('parks at once what no retry can fix', () => {
    expect(nextStep(new UnprocessableEventError('bad'), 0, topology)).toEqual({
      action: 'park',
      reason: 'unprocessable: bad',
      recorded: 'unprocessable',
    });
    expect(nextStep(new DomainError('VALIDATION_FAILED', 'nope'), 0, topology)).toEqual({
      action: 'park',
      reason: 'VALIDATION_FAILED: nope',
      recorded: 'business error VALIDATION_FAILED',
    });
    expect(nextStep(new DomainError('SERVICE_UNAVAILABLE'), 0, topology)).toMatchObject({ action: 'retry' });
  });
});

describe('failureCodeOf', () => {
  it('names a failure by its code or class, never by its message (which may quote data)', () => {
    expect(failureCodeOf(new DomainError('VALIDATION_FAILED', 'phone +4470000 unknown'))).toBe('VALIDATION_FAILED');
    expect(failureCodeOf(new UnprocessableEventError('amount 12.5 for alice'))).toBe('UNPROCESSABLE');
    expect(failureCodeOf(Object.assign(new Error('could not serialize'), { code: '40001' }))).toBe('40001');
    expect(failureCodeOf(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }))).toBe('ECONNREFUSED');
    expect(failureCodeOf(new RetryLaterError('alice@example.com unknown'))).toBe('RetryLaterError');
    expect(failureCodeOf(new TypeError('x'))).toBe('TypeError');
  });

  it('falls back to UNKNOWN for anything that could carry text', () => {
    expect(failureCodeOf('a thrown string with data')).toBe('UNKNOWN');
    expect(failureCodeOf(undefined)).toBe('UNKNOWN');
    expect(failureCodeOf(Object.assign(new Error('x'), { code: 'no spaces allowed here', name: 'has spaces too' }))).toBe('UNKNOWN');
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

describe('attemptOf', () => {
  const delivery = (headers: Record<string, unknown> | undefined, redelivered = false) => ({
    fields: { redelivered },
    properties: { headers },
  });

  it('is 1 for a first delivery and adds each retry and each return to the queue', () => {
    expect(attemptOf(delivery(undefined))).toBe(1);
    expect(attemptOf(delivery({}))).toBe(1);
    expect(attemptOf(delivery({ 'x-retry-count': 2 }))).toBe(3);
    expect(attemptOf(delivery({ 'x-delivery-count': 2 }, true))).toBe(3);
    expect(attemptOf(delivery({ 'x-retry-count': 1, 'x-delivery-count': 1 }, true))).toBe(3);
  });

  it('counts a redelivery the queue did not number as one, and ignores garbage', () => {
    expect(attemptOf(delivery({}, true))).toBe(2);
    expect(attemptOf(delivery({ 'x-delivery-count': 'x' }, true))).toBe(2);
    expect(attemptOf(delivery({ 'x-delivery-count': -3, 'x-retry-count': 'x' }))).toBe(1);
    expect(attemptOf(delivery({ 'x-delivery-count': 1.5 }))).toBe(1);
  });
});

describe('publisherOf', () => {
  it('is the broker-validated userId of a message someone else published', () => {
    expect(publisherOf({ userId: 'bank_orchestrator' }, 'bank_audit')).toBe('bank_orchestrator');
    expect(publisherOf({}, 'bank_audit')).toBeUndefined();
    expect(publisherOf({ userId: '' }, 'bank_audit')).toBeUndefined();
  });

  it('trusts the published-by header only on a message the subscriber itself stamped', () => {
    expect(publisherOf({ userId: 'bank_audit', headers: { [PUBLISHED_BY_HEADER]: 'bank_orchestrator' } }, 'bank_audit')).toBe(
      'bank_orchestrator',
    );
    expect(publisherOf({ userId: 'bank_analytics', headers: { [PUBLISHED_BY_HEADER]: 'bank_orchestrator' } }, 'bank_audit')).toBe(
      'bank_analytics',
    );
    expect(publisherOf({ headers: { [PUBLISHED_BY_HEADER]: 'bank_orchestrator' } }, 'bank_audit')).toBeUndefined();
    expect(publisherOf({ userId: 'bank_audit' }, 'bank_audit')).toBeUndefined();
  });
});

describe('the headers a subscriber writes when it moves a message', () => {
  // An operator (and redrive) reads them by these names: each must be a header AsyncAPI documents.
  it('are named as the AsyncAPI document names them', () => {
    const messages = (asyncApiDocument().components as { messages: Record<string, { headers: { properties: Record<string, unknown> } }> })
      .messages;
    for (const message of Object.values(messages))
      expect(Object.keys(message.headers.properties)).toEqual(
        expect.arrayContaining([RETRY_COUNT_HEADER, PARK_REASON_HEADER, PUBLISHED_BY_HEADER]),
      );
    expect([RETRY_COUNT_HEADER, PARK_REASON_HEADER, PUBLISHED_BY_HEADER]).toEqual(['x-retry-count', 'x-parked-reason', 'x-published-by']);
  });
});
