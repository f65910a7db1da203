import { EventTypes, type EventType } from './event-envelope.js';

/**
 * The one service allowed to publish each event type. The broker stamps every message with the
 * user that published it (a `user_id` that is not the connection's own user is refused), and each
 * subscriber parks an event whose user is not the producer named here: whoever can reach the broker
 * cannot make audit record, or notifications text, a transfer the orchestrator never made.
 */
export const EVENT_PRODUCERS: Readonly<Record<EventType, string>> = Object.freeze({
  [EventTypes.AccountOpened]: 'accounts',
  [EventTypes.CustomerRegistered]: 'auth',
  [EventTypes.OtpVerified]: 'auth',
  [EventTypes.OtpLocked]: 'auth',
  [EventTypes.TransferCompleted]: 'orchestrator',
  [EventTypes.TransferFailed]: 'orchestrator',
  [EventTypes.DepositCompleted]: 'orchestrator',
});

/** Broker users (and Postgres runtime roles) are named `<ROLE_PREFIX><service>`. */
export function brokerUserOf(service: string, prefix: string): string {
  return `${prefix}${service}`;
}

/**
 * Why an event of `type` published by broker user `publisher` must not be applied, or undefined when
 * it may: only the broker user of the type's producer may publish it.
 */
export function publisherRefusal(type: string, publisher: string | undefined, prefix: string): string | undefined {
  const producer = (EVENT_PRODUCERS as Record<string, string | undefined>)[type];
  if (producer === undefined) return `no service may publish event type ${type}`;
  if (publisher === brokerUserOf(producer, prefix)) return undefined;
  return `${type} must come from ${brokerUserOf(producer, prefix)}, not ${publisher ?? 'an unnamed publisher'}`;
}
