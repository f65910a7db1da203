import { Injectable } from '@nestjs/common';
import type { Context } from '@opentelemetry/api';
import type { TraceCarrier } from '@bank/common';
import { GroupCommit, Sql } from '@bank/database';
import { outboxWrite } from '@bank/messaging';
import type { EventEnvelope } from '@bank/contracts';
import { ORCHESTRATOR_SCHEMA } from '../orchestrator.schema.js';
import { claimDueSql } from '../saga/claim-due.sql.js';
import type { StepRecord, TransferRow, TransferStatus, TransferStep } from './transfer.row.js';

export interface NewTransfer {
  id: string;
  customerId: string;
  idempotencyKey: string;
  requestHash: string;
  fromAccountId: string;
  toAccountId: string;
  amount: number;
  currency: string;
  reference: string | null;
  correlationId: string;
  /** The starting request's trace context, kept on the row (see TransferRow.trace_context). */
  traceContext?: TraceCarrier | null;
}

/** The next state of a saga row. */
export interface Move {
  step: TransferStep;
  status?: TransferStatus;
  records: StepRecord[];
  toCustomerId?: string;
  failureCode?: string;
  events?: EventEnvelope[];
  /** The id of the final state's event, kept so the timeline can look it up in the subscribers' inboxes. */
  finalEventId?: string;
  /**
   * false: commit without waiting for the WAL flush (synchronous_commit off). Only for forward
   * progress markers: if a database crash loses one, the saga resumes from the previous step, whose
   * replay is idempotent, and WAL order guarantees no later write survives it.
   */
  durable?: boolean;
}

interface PendingInsert {
  t: NewTransfer;
  owner: string;
  leaseMs: number;
}

interface PendingMove {
  row: TransferRow;
  owner: string;
  leaseMs: number;
  next: Move;
}

/** Two statements of a kind at once leave the pool free for the rest; what arrives meanwhile waits for the next batch. */
const GROUPING = { maxInFlight: 2, maxBatch: 64 };

const record = (name: StepRecord['name'], status: StepRecord['status'], code?: string): StepRecord => ({
  name,
  status,
  at: new Date().toISOString(),
  ...(code ? { code } : {}),
});

/**
 * Saga state in SQL. Every write is one statement, guarded by the lease: a replica that lost the
 * row to another (its lease ran out) gets `null` back and stops driving it. The hot writes (insert
 * and move) are grouped: sagas writing at the same moment share a statement and a commit (at 32
 * clients, ~1.4 statements per transfer instead of 4; 4.9 commits per transfer system-wide instead of 8.1).
 */
@Injectable()
export class TransferRepository {
  private readonly inserts = new GroupCommit<PendingInsert, TransferRow | null>((batch) => this.insertAll(batch), GROUPING);
  private readonly moves = new GroupCommit<PendingMove, TransferRow | null>((batch, contexts) => this.moveAll(batch, contexts), GROUPING);

  constructor(private readonly sql: Sql) {}

  /**
   * Inserts the saga (leased to `owner`) unless the customer already used this key; returns the row
   * either way. Concurrent requests' inserts share one statement and one commit.
   */
  async insertOrGet(t: NewTransfer, owner: string, leaseMs: number): Promise<{ row: TransferRow; created: boolean }> {
    const inserted = await this.inserts.submit({ t, owner, leaseMs });
    if (inserted) return { row: inserted, created: true };
    const [existing] = await this.sql.rows<TransferRow>(
      `SELECT * FROM orchestrator.transfers WHERE customer_id = $1 AND idempotency_key = $2`,
      [t.customerId, t.idempotencyKey],
    );
    return { row: existing, created: false };
  }

  /** One row per new saga, or null where the key was taken (by an earlier request or one in the same batch). */
  private async insertAll(batch: PendingInsert[]): Promise<(TransferRow | null)[]> {
    const input = batch.map(({ t, owner, leaseMs }) => ({
      id: t.id,
      customer_id: t.customerId,
      idempotency_key: t.idempotencyKey,
      request_hash: t.requestHash,
      from_account_id: t.fromAccountId,
      to_account_id: t.toAccountId,
      amount: t.amount,
      currency: t.currency,
      reference: t.reference,
      steps: [record('RESERVE_FUNDS', 'STARTED')],
      correlation_id: t.correlationId,
      trace_context: t.traceContext ?? null,
      lease_owner: owner,
      lease_ms: leaseMs,
    }));
    const rows = await this.sql.rows<TransferRow>(
      `INSERT INTO orchestrator.transfers
         (id, customer_id, idempotency_key, request_hash, from_account_id, to_account_id, amount, currency, reference,
          status, step, steps, correlation_id, trace_context, lease_owner, lease_until)
       SELECT i.id, i.customer_id, i.idempotency_key, i.request_hash, i.from_account_id, i.to_account_id, i.amount, i.currency, i.reference,
              'PENDING', 'RESERVE_FUNDS', i.steps, i.correlation_id, i.trace_context, i.lease_owner, now() + i.lease_ms * interval '1 millisecond'
         FROM jsonb_to_recordset($1::jsonb) AS i(id uuid, customer_id uuid, idempotency_key text, request_hash text, from_account_id uuid,
              to_account_id uuid, amount bigint, currency text, reference text, steps jsonb, correlation_id text, trace_context jsonb,
              lease_owner text, lease_ms int)
       ON CONFLICT (customer_id, idempotency_key) DO NOTHING
       RETURNING *`,
      [JSON.stringify(input)],
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    return batch.map(({ t }) => byId.get(t.id) ?? null);
  }

  findById(id: string): Promise<TransferRow | undefined> {
    return this.sql.rows<TransferRow>(`SELECT * FROM orchestrator.transfers WHERE id = $1`, [id]).then((r) => r[0]);
  }

  /**
   * Records the outcome of one step and the start of the next, before the next runs. `next` may set
   * the destination's owner or the failure code; a final status may come with the events to publish.
   * Concurrent sagas' moves share one statement and one commit (see `GroupCommit`); each row keeps
   * its own lease and version guard, so a batch changes nothing a lone statement would not.
   */
  moveTo(row: TransferRow, owner: string, leaseMs: number, next: Move): Promise<TransferRow | null> {
    return this.moves.submit({ row, owner, leaseMs, next });
  }

  private async moveAll(batch: PendingMove[], contexts: Context[]): Promise<(TransferRow | null)[]> {
    // Synchronous commit is skipped only when every move in the batch allows it.
    const flush = batch.every((m) => m.next.durable === false) ? ` AND (SELECT set_config('synchronous_commit', 'off', true)) = 'off'` : '';
    const moves = batch.map(({ row, owner, leaseMs, next }, ord) => ({
      ord,
      id: row.id,
      owner,
      version: row.version,
      step: next.step,
      status: next.status ?? 'PENDING',
      records: next.records,
      to_customer_id: next.toCustomerId ?? null,
      failure_code: next.failureCode ?? null,
      final: next.status !== undefined && next.status !== 'PENDING',
      lease_ms: leaseMs,
      final_event_id: next.finalEventId ?? null,
    }));
    // The events go in with the state change, in the same statement, and only for the rows whose
    // guarded update happened: a replica that lost its lease writes neither. `id = ANY($1)` keeps the
    // plan on the primary key whatever the batch size. next_attempt_at is left as it is (a row is
    // only driven once due): changing no indexed column lets Postgres update the row in place (HOT).
    const event = outboxWrite(ORCHESTRATOR_SCHEMA, { byRow: batch.map((m) => m.next.events ?? []), contexts }, { param: 3, when: 'moved' });
    const rows = await this.sql.rows<TransferRow & { ord: number }>(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($2::jsonb) AS i(ord int, id uuid, owner text, version int, step text, status text,
           records jsonb, to_customer_id uuid, failure_code text, final boolean, lease_ms int, final_event_id uuid)
       ), moved AS (
         UPDATE orchestrator.transfers t SET
           step = i.step, status = i.status, steps = t.steps || i.records,
           to_customer_id = COALESCE(i.to_customer_id, t.to_customer_id), failure_code = COALESCE(i.failure_code, t.failure_code),
           attempts = 0, step_started_at = now(), last_error = NULL, updated_at = now(),
           completed_at = CASE WHEN i.final THEN now() ELSE t.completed_at END,
           final_event_id = COALESCE(i.final_event_id, t.final_event_id),
           lease_until = CASE WHEN i.final THEN NULL ELSE now() + i.lease_ms * interval '1 millisecond' END,
           lease_owner = CASE WHEN i.final THEN NULL ELSE t.lease_owner END,
           version = t.version + 1
          FROM input i
         WHERE t.id = ANY($1::uuid[]) AND t.id = i.id AND t.lease_owner = i.owner AND t.version = i.version AND t.status = 'PENDING'${flush}
         RETURNING i.ord, t.*
       ), event AS (${event.sql})
       SELECT * FROM moved`,
      [batch.map((m) => m.row.id), JSON.stringify(moves), event.param],
    );
    const byOrd = new Map(rows.map(({ ord, ...row }) => [ord, row]));
    return batch.map((_, ord) => byOrd.get(ord) ?? null);
  }

  /** A transient failure: keep the step, count the attempt, and hand the row to whoever retries it when due. */
  async scheduleRetry(
    row: TransferRow,
    owner: string,
    delayMs: number,
    error: string,
    records: StepRecord[] = [],
  ): Promise<TransferRow | null> {
    const rows = await this.sql.rows<TransferRow>(
      `UPDATE orchestrator.transfers SET
         attempts = attempts + 1, last_error = $3, steps = steps || $5::jsonb,
         next_attempt_at = now() + $4 * interval '1 millisecond',
         lease_owner = NULL, lease_until = NULL, updated_at = now(), version = version + 1
       WHERE id = $1 AND lease_owner = $2 AND version = $6 AND status = 'PENDING'
       RETURNING *`,
      [row.id, owner, error.slice(0, 500), delayMs, JSON.stringify(records), row.version],
    );
    return rows[0] ?? null;
  }

  /** The first request answered 202 while the saga goes on: a replay of the key now gets that answer, not 409. */
  async markResponded(id: string): Promise<void> {
    await this.sql.rows(`UPDATE orchestrator.transfers SET responded = true WHERE id = $1 AND NOT responded RETURNING id`, [id]);
  }

  /** Sagas due for a retry or left behind by a crashed owner (see `claimDueSql`). */
  claimDue(owner: string, leaseMs: number, limit: number, driving: string[]): Promise<TransferRow[]> {
    return this.sql.rows<TransferRow>(claimDueSql('orchestrator.transfers'), [owner, leaseMs, limit, driving]);
  }
}

export { record as stepRecord };
