import { context, ROOT_CONTEXT, SpanKind, trace, type Span } from '@opentelemetry/api';
import { extractTraceContext, tracer } from '@bank/common';
import type { DecodedDelivery } from './delivery.js';
import { retriesSoFar } from './failure-policy.js';

/**
 * A CONSUMER span per delivery (`<type> process`), child of the publish span whose context the
 * message's headers carry and linked to it (the messaging conventions' link to the producer), so
 * each subscriber's handling sits in the producer's trace. A redelivery or a retry carries the
 * same headers, so it lands in the same trace again.
 */
export function processSpan(delivery: DecodedDelivery, batchSize: number, subscriber: string): Span {
  const { message, event } = delivery;
  const parent = extractTraceContext(message.properties.headers);
  const producer = trace.getSpanContext(parent);
  return tracer.startSpan(
    `${event.type} process`,
    {
      kind: SpanKind.CONSUMER,
      links: producer ? [{ context: producer }] : [],
      attributes: {
        'messaging.system': 'rabbitmq',
        'messaging.operation.type': 'process',
        'messaging.destination.name': message.fields.exchange,
        'messaging.rabbitmq.destination.routing_key': message.fields.routingKey,
        'messaging.consumer.group.name': subscriber,
        'messaging.message.id': event.id,
        'messaging.message.conversation_id': event.correlationId,
        'messaging.batch.message_count': batchSize,
        'bank.redelivered': message.fields.redelivered || retriesSoFar(message.properties.headers) > 0,
      },
    },
    parent,
  );
}

/**
 * The batch's transaction in the span of its one event; a batch of several events belongs to no
 * single trace, so it gets a span of its own, linked to each event's.
 */
export function inProcessSpans<T>(spans: readonly Span[], subscriber: string, work: () => Promise<T>): Promise<T> {
  if (spans.length === 1) return context.with(trace.setSpan(ROOT_CONTEXT, spans[0]), work);
  const batch = tracer.startSpan(
    `${subscriber} process batch`,
    {
      kind: SpanKind.CONSUMER,
      links: spans.map((span) => ({ context: span.spanContext() })),
      attributes: { 'messaging.system': 'rabbitmq', 'messaging.batch.message_count': spans.length },
    },
    ROOT_CONTEXT,
  );
  return context.with(trace.setSpan(ROOT_CONTEXT, batch), work).finally(() => batch.end());
}

/** Runs `fn` (a log line) in the span's context, then ends the span; without a span just runs it. */
export function endSpanAfter(span: Span | undefined, fn: () => void): void {
  if (!span) return fn();
  context.with(trace.setSpan(ROOT_CONTEXT, span), fn);
  span.end();
}
