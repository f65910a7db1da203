import type { ConsumeMessage } from 'amqplib';
import { publisherRefusal } from '@bank/contracts';
import { decodeEvent } from './event-decoder.js';
import { publisherOf } from './failure-policy.js';
import type { InboundEvent } from './inbound-event-handler.js';

/** A delivery the subscriber may apply, or why it is parked at once (with the event when it decoded). */
export type Screened = { ok: true; event: InboundEvent } | { ok: false; reason: string; event?: InboundEvent };

export interface ScreenRules {
  /** True when a handler takes this event type. */
  takes(type: string): boolean;
  /** The subscriber's own broker user (see publisherOf). */
  self: string;
  /** ROLE_PREFIX: the producer of an event type publishes as `<rolePrefix><service>`. */
  rolePrefix: string;
}

/** Decodes a delivery and checks that a handler takes it and that its type's producer sent it. */
export function screenDelivery(message: Pick<ConsumeMessage, 'content' | 'properties'>, rules: ScreenRules): Screened {
  const messageId: unknown = message.properties.messageId;
  const result = decodeEvent(message.content, typeof messageId === 'string' && messageId !== '' ? messageId : undefined);
  if (!result.ok) return { ok: false, reason: `malformed: ${result.reason}` };
  const event = result.envelope;
  if (!rules.takes(event.type)) return { ok: false, reason: `no handler for event type ${event.type}`, event };
  // Applied only when its producer sent it: anyone else who can reach the broker could forge it.
  const refusal = publisherRefusal(event.type, publisherOf(message.properties, rules.self), rules.rolePrefix);
  if (refusal !== undefined) return { ok: false, reason: `untrusted publisher: ${refusal}`, event };
  return { ok: true, event };
}
