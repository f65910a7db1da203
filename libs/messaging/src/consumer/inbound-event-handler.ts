import 'reflect-metadata';
import { RequestContext } from '@bank/common';
import type { EventDataMap, EventEnvelope, EventType } from '@bank/contracts';
import type { SqlRunner } from '@bank/database';

/** A validated event as handlers see it. */
export type InboundEvent = EventEnvelope<string, Record<string, unknown>>;

/**
 * A subscriber's handler. It gets the batch's events of its types, in delivery order, and does
 * its work through `tx`: the batch's transaction, which also records the events in the inbox.
 * Commit (and only then the acks) happens after every handler returned; a throw rolls the whole
 * batch back, and the events are then retried one by one.
 */
export interface InboundEventHandler {
  handle(events: readonly InboundEvent[], tx: SqlRunner): Promise<void>;
}

const EVENT_TYPES = Symbol('bank:handled-event-types');
/** Handles every event, whatever its type (the audit trail). */
export const ALL_EVENTS = '*';

/** Declares the event types a handler class takes, like @EventsHandler of @nestjs/cqrs. */
export function OnEvents(...types: (EventType | typeof ALL_EVENTS)[]): ClassDecorator {
  return (target) => Reflect.defineMetadata(EVENT_TYPES, types, target);
}

/** The types a handler class declared with @OnEvents. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function handledEventTypes(handlerClass: Function): readonly string[] {
  const types = Reflect.getMetadata(EVENT_TYPES, handlerClass) as string[] | undefined;
  if (!types || types.length === 0) throw new Error(`${handlerClass.name} has no @OnEvents(...)`);
  return types;
}

/** Routing patterns that cover the given handler classes: `#` if one takes every event. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function bindingsFor(handlerClasses: Function[]): string[] {
  const types = handlerClasses.flatMap((h) => handledEventTypes(h));
  return types.includes(ALL_EVENTS) ? ['#'] : [...new Set(types)];
}

/** Narrows an inbound event to a known type with its data shape (validated at decode time). */
export function isEventOfType<T extends EventType>(
  event: InboundEvent,
  type: T,
): event is InboundEvent & EventEnvelope<T, EventDataMap[T] & Record<string, unknown>> {
  return event.type === type;
}

/**
 * Runs `fn` with the event's correlation (and causation) id as the request context, so log lines
 * about one event of a batch carry that event's ids rather than the batch's first.
 */
export function inEventContext<T>(event: InboundEvent, fn: () => T): T {
  return RequestContext.run(
    { correlationId: RequestContext.accept(event.correlationId), ...(event.causationId ? { causationId: event.causationId } : {}) },
    fn,
  );
}

/** The event cannot be applied yet (e.g. it overtook one it depends on): take the retry path. */
export class RetryLaterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetryLaterError';
  }
}

/** The event can never be applied: park it in the dead-letter queue at once. */
export class UnprocessableEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnprocessableEventError';
  }
}
