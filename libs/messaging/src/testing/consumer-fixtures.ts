// Shared by the consumer's unit specs: a subscriber's topology and events of two types.
import { createEnvelope, EventTypes } from '@bank/contracts';
import type { InboundEvent } from '../consumer/inbound-event-handler.js';
import { subscriberTopology, type SubscriberTopology } from '../consumer/subscriber.topology.js';

export function auditTopology(retryDelaysMs = [1000, 5000, 30000]): SubscriberTopology {
  return subscriberTopology({ subscriber: 'audit', exchange: 'bank.events', bindings: ['#'], retryDelaysMs, deliveryLimit: 10 });
}

const challengeId = '3eb13131-8191-4141-ad86-3f8d6f405104';

// The envelope types' data interfaces have no index signature, which InboundEvent's data asks for.
export const otpLocked = (): InboundEvent =>
  createEnvelope(EventTypes.OtpLocked, { challengeId }, { correlationId: 'c' }) as unknown as InboundEvent;

export const otpVerified = (): InboundEvent =>
  createEnvelope(
    EventTypes.OtpVerified,
    { challengeId, customerId: '2da02020-7080-4030-9c75-2e7c5e3f4003' },
    { correlationId: 'c' },
  ) as unknown as InboundEvent;
