import { context, SpanKind, trace, type Context } from '@opentelemetry/api';
import { injectTraceContext, isTracing, tracer, type TraceCarrier } from '@bank/common';
import type { EventEnvelope } from '@bank/contracts';
import type { SqlRunner } from '@bank/database';
import { outboxChannel } from './outbox.sql.js';

/**
 * The outbox write of one event as a PRODUCER span (`<type> create`) in `ctx`, the producer's
 * context; its own context is what the row keeps (`trace_context`), for the relay's publish span and,
 * through the message's headers, every subscriber's. NULL with tracing off.
 */
function producerContext(envelope: EventEnvelope, ctx: Context = context.active()): TraceCarrier | null {
  if (!isTracing()) return null;
  const span = tracer.startSpan(
    `${envelope.type} create`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'rabbitmq',
        'messaging.operation.type': 'create',
        'messaging.operation.name': 'outbox insert',
        'messaging.message.id': envelope.id,
        'messaging.rabbitmq.destination.routing_key': envelope.type,
      },
    },
    ctx,
  );
  const carrier = injectTraceContext(trace.setSpan(ctx, span)) ?? null;
  span.end();
  return carrier;
}

/**
 * Builds the INSERT that puts events in the outbox. Callers run it in the SAME transaction (or the
 * same single statement, as a CTE) as the change that caused the events: nothing is published for
 * a change that rolled back, nothing is lost for one that committed.
 */
export function outboxInsert(schema: string, envelopes: EventEnvelope[], firstParam = 1): { sql: string; params: unknown[] } {
  const rows: string[] = [];
  const params: unknown[] = [];
  envelopes.forEach((envelope, i) => {
    const p = firstParam + i * 5;
    rows.push(`($${p}::uuid, $${p + 1}, $${p + 2}::jsonb, $${p + 3}, $${p + 4}::jsonb)`);
    const trace = producerContext(envelope);
    params.push(envelope.id, envelope.type, JSON.stringify(envelope), envelope.correlationId, trace && JSON.stringify(trace));
  });
  return { sql: `INSERT INTO "${schema}".outbox (id, type, payload, correlation_id, trace_context) VALUES ${rows.join(', ')}`, params };
}

/** Appends the events inside the caller's transaction `tx`. */
export async function appendToOutbox(tx: SqlRunner, schema: string, envelopes: EventEnvelope[]): Promise<void> {
  if (envelopes.length === 0) return;
  const { sql, params } = outboxInsert(schema, envelopes);
  // Wakes the relay at commit so events leave within milliseconds, not a poll interval.
  await tx.rows(`WITH appended AS (${sql} RETURNING 1) SELECT pg_notify('${outboxChannel(schema)}', '')`, params);
}

/** Inserts the events of a jsonb parameter (rows of `outboxRow`, plus `keyColumn` if given) that pass `where`. */
function outboxFromJson(schema: string, param: string, keyColumn: string, where: string): string {
  return `INSERT INTO "${schema}".outbox (id, type, payload, correlation_id, trace_context)
          SELECT e.id, e.type, e.payload, e.correlation_id, e.trace_context
            FROM jsonb_to_recordset(${param}::jsonb) AS e(${keyColumn}id uuid, type text, payload jsonb, correlation_id text, trace_context jsonb)
           WHERE ${where}
          RETURNING id`;
}

const outboxRow = (e: EventEnvelope, ctx?: Context) => ({
  id: e.id,
  type: e.type,
  payload: e,
  correlation_id: e.correlationId,
  trace_context: producerContext(e, ctx),
});

/**
 * For a statement that changes state and emits events only if its change happened: a CTE body that
 * inserts the events (passed as ONE jsonb parameter, see `outboxEventsParam`) when the CTE named
 * `guard` returned rows. Used as `..., event AS (${outboxEventsCte(schema, '$10', 'moved')})`.
 */
export function outboxEventsCte(schema: string, param: string, guard: string): string {
  return outboxFromJson(schema, param, '', `EXISTS (SELECT 1 FROM ${guard})`);
}

export function outboxEventsParam(envelopes: EventEnvelope[]): string {
  return JSON.stringify(envelopes.map((e) => outboxRow(e)));
}

/**
 * The batch form of `outboxEventsCte`, for one statement that changes many rows: each event carries
 * the `ord` of the row that caused it and goes in only if that row is in `guard` (a CTE with an
 * `ord` column). Events are passed as ONE jsonb parameter, see `outboxKeyedEventsParam`.
 */
export function outboxKeyedEventsCte(schema: string, param: string, guard: string): string {
  return outboxFromJson(schema, param, 'ord int, ', `e.ord IN (SELECT ord FROM ${guard})`);
}

/** `contexts[ord]`: the producer's trace context of row `ord` (a grouped statement runs in one context, not each producer's). */
export function outboxKeyedEventsParam(eventsByOrd: EventEnvelope[][], contexts: Context[] = []): string {
  return JSON.stringify(eventsByOrd.flatMap((envelopes, ord) => envelopes.map((e) => ({ ord, ...outboxRow(e, contexts[ord]) }))));
}
