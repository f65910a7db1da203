import type { Channel, ConsumeMessage } from 'amqplib';
import type { InboundEvent } from './inbound-event-handler.js';

/** A message as the consumer received it, with the channel that must settle it. */
export interface Delivery {
  channel: Channel;
  message: ConsumeMessage;
}

/** A delivery whose envelope passed decoding, routing and the publisher check. */
export interface DecodedDelivery extends Delivery {
  event: InboundEvent;
}

/**
 * One ack per channel for a committed batch: `allUpTo` on its highest delivery tag. Batches are
 * taken oldest first and handled one at a time, so every lower tag on that channel is already
 * settled or in this batch.
 */
export function ackAll(deliveries: readonly Delivery[]): void {
  const last = new Map<Channel, Delivery>();
  for (const d of deliveries) {
    const seen = last.get(d.channel);
    if (!seen || seen.message.fields.deliveryTag < d.message.fields.deliveryTag) last.set(d.channel, d);
  }
  for (const [channel, d] of last) {
    try {
      channel.ack(d.message, true);
    } catch {
      // Channel gone: the messages are redelivered, and the inbox makes that harmless.
    }
  }
}

export function ack(delivery: Delivery): void {
  try {
    delivery.channel.ack(delivery.message);
  } catch {
    // Channel gone: the message is redelivered, and the inbox makes that harmless.
  }
}

export function nack(delivery: Delivery, requeue: boolean): void {
  try {
    delivery.channel.nack(delivery.message, false, requeue);
  } catch {
    // Channel gone: the broker requeues the message by itself.
  }
}
