import { context, SpanKind, trace, type Context } from '@opentelemetry/api';
import { injectTraceContext, isTracing, tracer, type TraceCarrier } from '@bank/common';
import type { EventEnvelope } from '@bank/contracts';
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

const outboxRow = (e: EventEnvelope, ctx?: Context) => ({
  id: e.id,
  type: e.type,
  payload: e,
  correlation_id: e.correlationId,
  trace_context: producerContext(e, ctx),
});

/**
 * The events of a statement that changes many rows at once: `byRow[ord]` are the events of the row
 * `ord`, written only if that row changed; `contexts[ord]` is that row's producer context (a grouped
 * statement runs in one context, not each producer's).
 */
export interface EventsByRow {
  byRow: EventEnvelope[][];
  contexts?: Context[];
}

/** Where the events sit in the caller's statement. */
export interface OutboxWriteAt {
  /** The number of the statement's parameter that carries the events (`param` of the result). */
  param: number;
  /**
   * A CTE of the statement that made the change. The events go in only if it returned rows (with
   * `EventsByRow`, each row's events only if its `ord` is among them): a guarded update that did
   * not happen (a lost lease, a limit reached) writes no event. Absent: always.
   */
  when?: string;
}

export interface OutboxWrite {
  /** An INSERT into the outbox; a CTE of the statement that makes the change (`event AS (${sql})`) or a statement alone. */
  sql: string;
  /** The events, as the one jsonb parameter the INSERT reads. */
  param: string;
}

/**
 * THE way to write events: every event of the system is written by this function. The INSERT it
 * gives runs in the same statement (as a CTE) or the same transaction as the change that caused
 * the events, so nothing is published for a change that rolled back and nothing is lost for one
 * that committed. It also wakes the relay: the `pg_notify` rides on each inserted row (Postgres
 * delivers one notification per channel and transaction, at commit), so events leave within
 * milliseconds rather than a poll interval, and a statement that inserted nothing wakes nobody.
 * Each row keeps its correlation id and the producer's trace context (`trace_context`).
 */
export function outboxWrite(schema: string, events: EventEnvelope[], at: OutboxWriteAt): OutboxWrite;
export function outboxWrite(schema: string, events: EventsByRow, at: Required<OutboxWriteAt>): OutboxWrite;
export function outboxWrite(schema: string, events: EventEnvelope[] | EventsByRow, { param, when }: OutboxWriteAt): OutboxWrite {
  const keyed = !Array.isArray(events);
  const rows = keyed
    ? events.byRow.flatMap((envelopes, ord) => envelopes.map((e) => ({ ord, ...outboxRow(e, events.contexts?.[ord]) })))
    : events.map((e) => outboxRow(e));
  const where = !when ? 'true' : keyed ? `e.ord IN (SELECT ord FROM ${when})` : `EXISTS (SELECT 1 FROM ${when})`;
  const sql = `INSERT INTO "${schema}".outbox (id, type, payload, correlation_id, trace_context)
          SELECT e.id, e.type, e.payload, e.correlation_id, e.trace_context
            FROM jsonb_to_recordset($${param}::jsonb) AS e(${keyed ? 'ord int, ' : ''}id uuid, type text, payload jsonb, correlation_id text, trace_context jsonb)
           WHERE ${where}
          RETURNING id, pg_notify('${outboxChannel(schema)}', '')`;
  return { sql, param: JSON.stringify(rows) };
}
