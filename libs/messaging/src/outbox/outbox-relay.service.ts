import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { Client } from 'pg';
import { extractTraceContext, failSpan, injectTraceContext, isTracing, tracer, type TraceCarrier } from '@bank/common';
import type { EventEnvelope } from '@bank/contracts';
import { Sql, type SqlRunner } from '@bank/database';
import { AmqpConnection, UnroutableMessageError } from '../amqp/amqp-connection.js';
import { outboxParked, outboxPublished, outboxPublishLag, registerBacklogSource } from '../metrics/messaging.metrics.js';
import type { OutboxRelayTuning } from './outbox-relay.config.js';
import { outboxChannel } from './outbox.sql.js';

export interface OutboxRelayOptions extends OutboxRelayTuning {
  schema: string;
}
export const OUTBOX_RELAY_OPTIONS = Symbol('OUTBOX_RELAY_OPTIONS');

interface OutboxRow {
  id: string;
  type: string;
  payload: EventEnvelope;
  correlation_id: string;
  created_at: Date;
  trace_context: TraceCarrier | null;
}

export interface RelayBatchResult {
  claimed: number;
  published: number;
  /** Confirmed but routed to no queue: retried after OUTBOX_RETRY_MS, parked after OUTBOX_PARK_AFTER_RETURNS. */
  returned: number;
}

/**
 * Moves committed outbox rows to the broker. Each batch is one transaction: claim rows with
 * FOR UPDATE SKIP LOCKED (replicas take disjoint batches), publish them on a confirm channel,
 * then one UPDATE marks the confirmed ones published and counts an attempt on the others. A row is
 * marked only after the broker confirmed it, so a crash or an outage can duplicate a message
 * (consumers dedupe by event id) but never lose one. Messages are `mandatory`: one the broker
 * routes to no queue comes back, is not marked, is tried again after OUTBOX_RETRY_MS and, returned
 * OUTBOX_PARK_AFTER_RETURNS times, is parked (kept, no longer claimed, alerted on).
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly table: string;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;
  private listener?: Client;
  private listenRetry?: NodeJS.Timeout;
  private pollTimer?: NodeJS.Timeout;
  private retryTimer?: NodeJS.Timeout;
  private readonly cleanups: (() => void)[] = [];

  constructor(
    @Inject(OUTBOX_RELAY_OPTIONS) private readonly options: OutboxRelayOptions,
    private readonly db: Sql,
    private readonly amqp: AmqpConnection,
  ) {
    this.table = `"${options.schema}".outbox`;
  }

  onApplicationBootstrap(): void {
    this.cleanups.push(
      registerBacklogSource({ schema: this.options.schema, backlog: () => this.backlog() }),
      this.amqp.onConnect(() => this.kick()),
    );
    void this.listen();
    this.pollTimer = setInterval(() => this.kick(), this.options.pollMs);
    this.kick();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pollTimer);
    clearTimeout(this.retryTimer);
    clearTimeout(this.listenRetry);
    this.cleanups.forEach((cleanup) => cleanup());
    await this.running;
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }

  /** Asks for a drain; coalesces with one already running so bursts of NOTIFYs cost one pass. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves when no drain is running (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    do {
      this.again = false;
      while (!this.stopped && this.amqp.isConnected) {
        const result = await this.relayBatch().catch((error: unknown) => {
          this.logger.warn({ msg: 'outbox batch failed', err: (error as Error).message });
          return { claimed: 0, published: 0, returned: 0 };
        });
        // Rows not taken wait for their retry_at: one wake-up then, however quiet the outbox is.
        if (result.published < result.claimed) this.retryLater();
        // A short or partly failed batch means: nothing more now, or the broker is in trouble.
        if (result.claimed < this.options.batchSize || result.published + result.returned < result.claimed) break;
      }
    } while (this.again && !this.stopped);
  }

  private retryLater(): void {
    if (this.retryTimer || this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.kick();
    }, this.options.retryMs);
  }

  /** One claim-publish-mark transaction. Public for tests. */
  relayBatch(): Promise<RelayBatchResult> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.rows<OutboxRow>(
        `SELECT id, type, payload, correlation_id, created_at, trace_context FROM ${this.table}
          WHERE published_at IS NULL AND parked_at IS NULL AND (retry_at IS NULL OR retry_at <= now())
          ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.options.batchSize],
        // Once per batch, on a table that starts empty and grows fast: a plan of its own each time.
        { prepare: false },
      );
      if (rows.length === 0) return { claimed: 0, published: 0, returned: 0 };
      const outcomes = await Promise.allSettled(rows.map((row) => this.publish(row)));
      const confirmed: string[] = [];
      const returned: string[] = [];
      let firstError: string | undefined;
      outcomes.forEach((outcome, i) => {
        const row = rows[i];
        if (outcome.status === 'fulfilled') {
          confirmed.push(row.id);
          outboxPublishLag.observe({ schema: this.options.schema }, Math.max(0, Date.now() - row.created_at.getTime()) / 1000);
        } else if (outcome.reason instanceof UnroutableMessageError) {
          returned.push(row.id);
        } else {
          firstError ??= (outcome.reason as Error)?.message ?? String(outcome.reason);
        }
      });
      const parked = await this.mark(
        tx,
        rows.map((r) => r.id),
        confirmed,
        returned,
        firstError,
      );
      const schema = this.options.schema;
      outboxPublished.inc({ schema, outcome: 'confirmed' }, confirmed.length);
      if (returned.length > 0) {
        outboxPublished.inc({ schema, outcome: 'returned' }, returned.length);
        this.logger.warn({ msg: 'outbox rows returned by the broker (no queue bound), will retry', returned: returned.length });
      }
      const failed = rows.length - confirmed.length - returned.length;
      if (failed > 0) {
        outboxPublished.inc({ schema, outcome: 'failed' }, failed);
        this.logger.warn({ msg: 'outbox rows not confirmed, will retry', failed, err: firstError });
      }
      for (const row of parked) {
        outboxParked.inc({ schema, type: row.type });
        this.logger.error({
          msg: 'outbox row parked: no queue is bound to its type',
          errorCode: 'EVENT_UNROUTABLE',
          eventId: row.id,
          type: row.type,
          schema,
        });
      }
      return { claimed: rows.length, published: confirmed.length, returned: returned.length };
    });
  }

  /**
   * With tracing on, each message is a PRODUCER span (`<type> publish`) in the trace of the row's
   * producer, until the broker confirms it; its context goes in the message's headers (W3C
   * `traceparent`/`tracestate`), so the subscribers' spans join that trace too.
   */
  private publish(row: OutboxRow): Promise<void> {
    if (!isTracing() || !row.trace_context) return this.publishRow(row);
    const span = tracer.startSpan(
      `${row.type} publish`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'rabbitmq',
          'messaging.operation.type': 'send',
          'messaging.destination.name': this.amqp.exchange,
          'messaging.rabbitmq.destination.routing_key': row.type,
          'messaging.message.id': row.id,
          'messaging.message.conversation_id': row.correlation_id,
        },
      },
      extractTraceContext(row.trace_context),
    );
    const traced = trace.setSpan(context.active(), span);
    return context
      .with(traced, () => this.publishRow(row, injectTraceContext(traced)))
      .then(
        () => span.end(),
        (error: unknown) => {
          failSpan(span, error);
          span.end();
          throw error;
        },
      );
  }

  private publishRow(row: OutboxRow, carried?: TraceCarrier): Promise<void> {
    const envelope = row.payload;
    const headers: Record<string, string> = { 'x-correlation-id': row.correlation_id, ...carried };
    if (envelope.causationId) headers['x-causation-id'] = envelope.causationId;
    const occurred = Date.parse(envelope.occurredAt);
    return this.amqp.publish(this.amqp.exchange, row.type, Buffer.from(JSON.stringify(envelope)), {
      persistent: true,
      messageId: row.id,
      type: row.type,
      contentType: 'application/json',
      correlationId: row.correlation_id,
      appId: this.options.schema,
      userId: this.amqp.user,
      ...(Number.isFinite(occurred) ? { timestamp: Math.floor(occurred / 1000) } : {}),
      // A message no queue is bound for comes back (basic.return) instead of being dropped.
      mandatory: true,
      headers,
    });
  }

  /**
   * One UPDATE per batch: confirmed rows get published_at; the rest an attempt, the error and a
   * retry_at; a returned row whose attempts reach OUTBOX_PARK_AFTER_RETURNS is parked. Returns those.
   */
  private async mark(
    tx: SqlRunner,
    claimed: string[],
    confirmed: string[],
    returned: string[],
    error: string | undefined,
  ): Promise<{ id: string; type: string }[]> {
    const rows = await tx.rows<{ id: string; type: string; parked: boolean }>(
      `UPDATE ${this.table} o
          SET published_at = CASE WHEN o.id = ANY($2::uuid[]) THEN clock_timestamp() END,
              attempts = o.attempts + CASE WHEN o.id = ANY($2::uuid[]) THEN 0 ELSE 1 END,
              last_error = CASE WHEN o.id = ANY($2::uuid[]) THEN o.last_error
                                WHEN o.id = ANY($3::uuid[]) THEN 'returned by the broker: no queue bound to ' || o.type
                                ELSE $4 END,
              retry_at = CASE WHEN o.id = ANY($2::uuid[]) THEN NULL ELSE clock_timestamp() + make_interval(secs => $5) END,
              parked_at = CASE WHEN o.id = ANY($3::uuid[]) AND o.attempts + 1 >= $6 THEN clock_timestamp() END
        WHERE o.id = ANY($1::uuid[])
        RETURNING o.id, o.type, o.parked_at IS NOT NULL AS parked`,
      [claimed, confirmed, returned, error?.slice(0, 500) ?? null, this.options.retryMs / 1000, this.options.parkAfterReturns],
      { prepare: false },
    );
    return rows.filter((row) => row.parked);
  }

  private async backlog(): Promise<{ count: number; oldestAgeSeconds: number; parked: number }> {
    const [row] = await this.db.rows<{ count: number; age: number | null; parked: number }>(
      `SELECT count(*) FILTER (WHERE parked_at IS NULL)::int AS count,
              extract(epoch FROM now() - min(created_at) FILTER (WHERE parked_at IS NULL))::float8 AS age,
              count(*) FILTER (WHERE parked_at IS NOT NULL)::int AS parked
         FROM ${this.table} WHERE published_at IS NULL`,
    );
    return { count: row?.count ?? 0, oldestAgeSeconds: Math.max(0, row?.age ?? 0), parked: row?.parked ?? 0 };
  }

  /** A dedicated connection LISTENs for the writers' pg_notify; reconnects on its own. */
  private async listen(): Promise<void> {
    if (this.stopped) return;
    const url = (this.db.dataSource.options as { url?: string }).url;
    const client = new Client({ connectionString: url, application_name: `${this.options.schema}-outbox-relay` });
    client.on('error', (error) => this.logger.warn({ msg: 'outbox LISTEN connection error', err: error.message }));
    client.on('notification', () => this.kick());
    client.on('end', () => {
      if (this.listener !== client) return;
      this.listener = undefined;
      this.retryListen();
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${outboxChannel(this.options.schema)}"`);
    } catch (error) {
      this.logger.warn({ msg: 'outbox LISTEN failed, polling meanwhile', err: (error as Error).message });
      await client.end().catch(() => undefined);
      this.retryListen();
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
    // Rows committed while nobody listened are picked up now.
    this.kick();
  }

  private retryListen(): void {
    if (this.stopped) return;
    this.listenRetry = setTimeout(() => void this.listen(), 1_000);
  }
}
