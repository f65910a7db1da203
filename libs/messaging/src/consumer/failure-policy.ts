import { BUSINESS_ERROR_CODES, DomainError } from '@bank/contracts';
import { UnprocessableEventError } from './inbound-event-handler.js';
import { retryQueueName, type SubscriberTopology } from './subscriber.topology.js';

/**
 * `reason` goes into the parked message's header (with the error's message, for the operator who
 * reads the DLQ); `recorded` is the same without the message, for the subscriber's database and its
 * read API, which must carry no data an error message might hold.
 */
export type FailureStep =
  { action: 'retry'; queue: string; delayMs: number; retry: number } | { action: 'park'; reason: string; recorded: string };

export const RETRY_COUNT_HEADER = 'x-retry-count';
export const PARK_REASON_HEADER = 'x-parked-reason';
/**
 * Who published a message the subscriber moved to its retry queue or DLQ. The move is published
 * as the subscriber's own broker user, so the original `userId` would be lost; the subscriber
 * writes it here, and trusts this header only on a message stamped with its own user (no one else
 * can stamp that), see publisherOf.
 */
export const PUBLISHED_BY_HEADER = 'x-published-by';

/** The broker user that published `properties`' message: its validated userId, or for one the subscriber moved itself, the header it wrote. */
export function publisherOf(properties: { userId?: unknown; headers?: Record<string, unknown> }, self: string): string | undefined {
  const userId = typeof properties.userId === 'string' && properties.userId !== '' ? properties.userId : undefined;
  if (userId === undefined || userId !== self) return userId;
  const header = properties.headers?.[PUBLISHED_BY_HEADER];
  return typeof header === 'string' && header !== '' ? header : undefined;
}

/** The retry count a delivery carries (0 for a first delivery or a garbled header). */
export function retriesSoFar(headers: Record<string, unknown> | undefined): number {
  const value = Number(headers?.[RETRY_COUNT_HEADER]);
  return Number.isInteger(value) && value >= 0 ? value : 0;
}

/** Header a quorum queue sets on a message it gives out again (a consumer crashed, nacked or lost its channel). */
export const DELIVERY_COUNT_HEADER = 'x-delivery-count';

/**
 * Which attempt at its event a delivery is: 1 for the first, plus each trip through a retry queue
 * (RETRY_COUNT_HEADER), plus each time the queue gave this copy out again (the quorum queue's count;
 * without it, one when the broker marks it redelivered). Garbled headers count as none.
 */
export function attemptOf(message: { fields: { redelivered: boolean }; properties: { headers?: Record<string, unknown> } }): number {
  const counted = Number(message.properties.headers?.[DELIVERY_COUNT_HEADER]);
  const returns = Number.isInteger(counted) && counted > 0 ? counted : message.fields.redelivered ? 1 : 0;
  return 1 + retriesSoFar(message.properties.headers) + returns;
}

/**
 * What to do with a message whose processing failed: unfixable errors are parked at once, anything
 * else (database down, an event that overtook its predecessor, a bug) is retried with growing
 * delays and parked when the delays are used up.
 */
export function nextStep(error: unknown, retries: number, topology: SubscriberTopology): FailureStep {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof UnprocessableEventError) return { action: 'park', reason: `unprocessable: ${message}`, recorded: 'unprocessable' };
  if (error instanceof DomainError && BUSINESS_ERROR_CODES.has(error.code))
    return { action: 'park', reason: `${error.code}: ${message}`, recorded: `business error ${error.code}` };
  const delayMs = topology.retryDelaysMs[retries];
  if (delayMs === undefined)
    return { action: 'park', reason: `gave up after ${retries} retries: ${message}`, recorded: `gave up after ${retries} retries` };
  return { action: 'retry', queue: retryQueueName(topology, delayMs), delayMs, retry: retries + 1 };
}

const SAFE_CODE = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$|^[0-9A-Z]{5}$/;

/**
 * What a failure may say about itself outside the logs: a DomainError's code, a driver's code (a
 * Postgres SQLSTATE such as 40001, a Node code such as ECONNREFUSED), else the error's class name.
 * Never its message, which may quote data.
 */
export function failureCodeOf(error: unknown): string {
  if (error instanceof DomainError) return error.code;
  if (error instanceof UnprocessableEventError) return 'UNPROCESSABLE';
  const code = (error as { code?: unknown } | null | undefined)?.code;
  if (typeof code === 'string' && SAFE_CODE.test(code)) return code;
  const name = error instanceof Error ? error.name : undefined;
  return name !== undefined && SAFE_CODE.test(name) ? name : 'UNKNOWN';
}
