import { Injectable } from '@nestjs/common';
import { Sql } from '@bank/database';
import { outboxWrite } from '@bank/messaging';
import type { EventEnvelope } from '@bank/contracts';
import { ORCHESTRATOR_SCHEMA } from '../orchestrator.schema.js';
import { claimDueSql } from '../saga/claim-due.sql.js';
import type { DepositRow, DepositStep } from './deposit.row.js';

export interface NewDeposit {
  id: string;
  customerId: string;
  idempotencyKey: string;
  requestHash: string;
  accountId: string;
  amount: number;
  currency: string;
  correlationId: string;
}

/** Deposit saga state; same leasing rules as transfers (see TransferRepository). */
@Injectable()
export class DepositRepository {
  constructor(private readonly sql: Sql) {}

  async insertOrGet(d: NewDeposit, owner: string, leaseMs: number): Promise<{ row: DepositRow; created: boolean }> {
    const [inserted] = await this.sql.rows<DepositRow>(
      `INSERT INTO orchestrator.deposits
         (id, customer_id, idempotency_key, request_hash, account_id, amount, currency, status, step, correlation_id, lease_owner, lease_until)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'PENDING', 'POST_LEDGER', $8, $9, now() + $10 * interval '1 millisecond')
       ON CONFLICT (customer_id, idempotency_key) DO NOTHING
       RETURNING *`,
      [d.id, d.customerId, d.idempotencyKey, d.requestHash, d.accountId, d.amount, d.currency, d.correlationId, owner, leaseMs],
    );
    if (inserted) return { row: inserted, created: true };
    const [existing] = await this.sql.rows<DepositRow>(
      `SELECT * FROM orchestrator.deposits WHERE customer_id = $1 AND idempotency_key = $2`,
      [d.customerId, d.idempotencyKey],
    );
    return { row: existing, created: false };
  }

  async moveTo(
    row: DepositRow,
    owner: string,
    leaseMs: number,
    step: DepositStep,
    events: EventEnvelope[] = [],
  ): Promise<DepositRow | null> {
    const done = step === 'DONE';
    const event = outboxWrite(ORCHESTRATOR_SCHEMA, events, { param: 6, when: 'moved' });
    const [moved] = await this.sql.rows<DepositRow>(
      `WITH moved AS (
         UPDATE orchestrator.deposits SET step = $3, status = CASE WHEN $4 THEN 'COMPLETED' ELSE status END,
           attempts = 0, last_error = NULL,
           completed_at = CASE WHEN $4 THEN now() ELSE NULL END,
           lease_owner = CASE WHEN $4 THEN NULL ELSE lease_owner END,
           lease_until = CASE WHEN $4 THEN NULL ELSE now() + $5 * interval '1 millisecond' END,
           version = version + 1
         WHERE id = $1 AND lease_owner = $2 AND version = $7 AND status = 'PENDING'
         RETURNING *
       ), event AS (${event.sql})
       SELECT * FROM moved`,
      [row.id, owner, step, done, leaseMs, event.param, row.version],
    );
    return moved ?? null;
  }

  /** The business refused a step that booked nothing: the deposit ends FAILED with the refusal's code, publishing nothing. */
  async fail(row: DepositRow, owner: string, failureCode: string): Promise<DepositRow | null> {
    const [failed] = await this.sql.rows<DepositRow>(
      `UPDATE orchestrator.deposits SET step = 'DONE', status = 'FAILED', failure_code = $3, attempts = 0, last_error = NULL,
         completed_at = now(), lease_owner = NULL, lease_until = NULL, version = version + 1
       WHERE id = $1 AND lease_owner = $2 AND version = $4 AND status = 'PENDING'
       RETURNING *`,
      [row.id, owner, failureCode, row.version],
    );
    return failed ?? null;
  }

  async scheduleRetry(row: DepositRow, owner: string, delayMs: number, error: string): Promise<DepositRow | null> {
    const [retried] = await this.sql.rows<DepositRow>(
      `UPDATE orchestrator.deposits SET attempts = attempts + 1, last_error = $3,
         next_attempt_at = now() + $4 * interval '1 millisecond', lease_owner = NULL, lease_until = NULL, version = version + 1
       WHERE id = $1 AND lease_owner = $2 AND version = $5 AND status = 'PENDING'
       RETURNING *`,
      [row.id, owner, error.slice(0, 500), delayMs, row.version],
    );
    return retried ?? null;
  }

  async markResponded(id: string): Promise<void> {
    await this.sql.rows(`UPDATE orchestrator.deposits SET responded = true WHERE id = $1 AND NOT responded RETURNING id`, [id]);
  }

  /** Deposits due for a retry or left behind by a crashed owner (see `claimDueSql`). */
  claimDue(owner: string, leaseMs: number, limit: number, driving: string[]): Promise<DepositRow[]> {
    return this.sql.rows<DepositRow>(claimDueSql('orchestrator.deposits'), [owner, leaseMs, limit, driving]);
  }
}
