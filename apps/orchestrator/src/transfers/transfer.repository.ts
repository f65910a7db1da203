import { Injectable } from '@nestjs/common';
import { Sql } from '@bank/database';
import { outboxChannel, outboxEventsCte, outboxEventsParam } from '@bank/messaging';
import type { EventEnvelope } from '@bank/contracts';
import { ORCHESTRATOR_SCHEMA } from '../orchestrator.schema.js';
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
}

const record = (name: StepRecord['name'], status: StepRecord['status'], code?: string): StepRecord => ({
  name,
  status,
  at: new Date().toISOString(),
  ...(code ? { code } : {}),
});

/**
 * Saga state in SQL. Every write is one statement, guarded by the lease: a replica that lost the
 * row to another (its lease ran out) gets `null` back and stops driving it.
 */
@Injectable()
export class TransferRepository {
  constructor(private readonly sql: Sql) {}

  /** Inserts the saga (leased to `owner`) unless the customer already used this key; returns the row either way. */
  async insertOrGet(t: NewTransfer, owner: string, leaseMs: number): Promise<{ row: TransferRow; created: boolean }> {
    const inserted = await this.sql.rows<TransferRow>(
      `INSERT INTO orchestrator.transfers
         (id, customer_id, idempotency_key, request_hash, from_account_id, to_account_id, amount, currency, reference,
          status, step, steps, correlation_id, lease_owner, lease_until)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'PENDING', 'RESERVE_FUNDS', $10::jsonb, $11, $12, now() + $13 * interval '1 millisecond')
       ON CONFLICT (customer_id, idempotency_key) DO NOTHING
       RETURNING *`,
      [
        t.id,
        t.customerId,
        t.idempotencyKey,
        t.requestHash,
        t.fromAccountId,
        t.toAccountId,
        t.amount,
        t.currency,
        t.reference,
        JSON.stringify([record('RESERVE_FUNDS', 'STARTED')]),
        t.correlationId,
        owner,
        leaseMs,
      ],
    );
    if (inserted[0]) return { row: inserted[0], created: true };
    const [existing] = await this.sql.rows<TransferRow>(
      `SELECT * FROM orchestrator.transfers WHERE customer_id = $1 AND idempotency_key = $2`,
      [t.customerId, t.idempotencyKey],
    );
    return { row: existing, created: false };
  }

  findById(id: string): Promise<TransferRow | undefined> {
    return this.sql.rows<TransferRow>(`SELECT * FROM orchestrator.transfers WHERE id = $1`, [id]).then((r) => r[0]);
  }

  /**
   * Records the outcome of one step and the start of the next, before the next runs. `patch` may set
   * the destination's owner or the failure code; a final status may come with the events to publish.
   */
  async moveTo(
    row: TransferRow,
    owner: string,
    leaseMs: number,
    next: {
      step: TransferStep;
      status?: TransferStatus;
      records: StepRecord[];
      toCustomerId?: string;
      failureCode?: string;
      events?: EventEnvelope[];
      /** The id of the final state's event, kept so the timeline can look it up in the subscribers' inboxes. */
      finalEventId?: string;
      /**
       * false: commit without waiting for the WAL flush (synchronous_commit off for this statement).
       * Only for forward progress markers: if a database crash loses one, the saga resumes from the
       * previous step, whose replay is idempotent, and WAL order guarantees no later write survives it.
       */
      durable?: boolean;
    },
  ): Promise<TransferRow | null> {
    const final = next.status !== undefined && next.status !== 'PENDING';
    const flush = next.durable === false ? ` AND (SELECT set_config('synchronous_commit', 'off', true)) = 'off'` : '';
    // The events go in with the state change, in the same statement, and only if the guarded update
    // happened: a replica that lost its lease writes neither. next_attempt_at is left as it is (a row
    // is only driven once due): changing no indexed column lets Postgres update the row in place (HOT).
    const rows = await this.sql.rows<TransferRow>(
      `WITH moved AS (
         UPDATE orchestrator.transfers SET
           step = $3, status = $4, steps = steps || $5::jsonb,
           to_customer_id = COALESCE($6, to_customer_id), failure_code = COALESCE($7, failure_code),
           attempts = 0, step_started_at = now(), last_error = NULL, updated_at = now(),
           completed_at = CASE WHEN $8 THEN now() ELSE completed_at END,
           final_event_id = COALESCE($12::uuid, final_event_id),
           lease_until = CASE WHEN $8 THEN NULL ELSE now() + $9 * interval '1 millisecond' END,
           lease_owner = CASE WHEN $8 THEN NULL ELSE lease_owner END,
           version = version + 1
         WHERE id = $1 AND lease_owner = $2 AND version = $11 AND status = 'PENDING'${flush}
         RETURNING *
       ), event AS (${outboxEventsCte(ORCHESTRATOR_SCHEMA, '$10', 'moved')})
       SELECT moved.*, CASE WHEN EXISTS (SELECT 1 FROM event) THEN pg_notify('${outboxChannel(ORCHESTRATOR_SCHEMA)}', '') END AS notified
         FROM moved`,
      [
        row.id,
        owner,
        next.step,
        next.status ?? 'PENDING',
        JSON.stringify(next.records),
        next.toCustomerId ?? null,
        next.failureCode ?? null,
        final,
        leaseMs,
        outboxEventsParam(next.events ?? []),
        row.version,
        next.finalEventId ?? null,
      ],
    );
    return rows[0] ?? null;
  }

  /** A transient failure: keep the step, count the attempt, and hand the row to whoever retries it when due. */
  async scheduleRetry(row: TransferRow, owner: string, delayMs: number, error: string, records: StepRecord[] = []): Promise<TransferRow | null> {
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

  /**
   * Claims sagas that are due and whose owner's lease ran out (crash, or a retry is due), except the
   * ones this process is driving right now. Claiming bumps the version, so a stale driver stops.
   */
  claimDue(owner: string, leaseMs: number, limit: number, driving: string[]): Promise<TransferRow[]> {
    return this.sql.rows<TransferRow>(
      `UPDATE orchestrator.transfers t SET lease_owner = $1, lease_until = now() + $2 * interval '1 millisecond', version = t.version + 1
        WHERE t.id IN (
          SELECT id FROM orchestrator.transfers
           WHERE status = 'PENDING' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
             AND NOT (id = ANY($4::uuid[]))
           ORDER BY next_attempt_at
           LIMIT $3
           FOR UPDATE SKIP LOCKED)
       RETURNING t.*`,
      [owner, leaseMs, limit, driving],
    );
  }
}

export { record as stepRecord };
