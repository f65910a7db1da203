import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createOutboxTableSql, dropOutboxTableSql } from '@bank/messaging';

/**
 * Saga state of transfers and deposits. The row is written before the first step and updated before
 * each next one, so a crashed orchestrator (or another replica) can resume it. The unique
 * (customer_id, idempotency_key) makes the Idempotency-Key a database fact, not a cache entry.
 */
export class CreateOrchestrator1764000000100 implements MigrationInterface {
  name = 'CreateOrchestrator1764000000100';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE orchestrator.transfers (
      id uuid PRIMARY KEY,
      customer_id uuid NOT NULL,
      idempotency_key text NOT NULL,
      request_hash text NOT NULL,
      from_account_id uuid NOT NULL,
      to_account_id uuid NOT NULL,
      to_customer_id uuid,
      amount bigint NOT NULL CHECK (amount > 0),
      currency char(3) NOT NULL,
      reference text,
      status text NOT NULL CHECK (status IN ('PENDING', 'COMPLETED', 'FAILED', 'NEEDS_ATTENTION')),
      step text NOT NULL,
      failure_code text,
      steps jsonb NOT NULL DEFAULT '[]',
      step_started_at timestamptz NOT NULL DEFAULT now(),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      last_error text,
      lease_owner text,
      lease_until timestamptz,
      -- Bumped by every write: a driver whose row changed under it (a stale owner) loses its write and stops.
      version integer NOT NULL DEFAULT 0,
      responded boolean NOT NULL DEFAULT false,
      correlation_id text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      completed_at timestamptz,
      CONSTRAINT transfers_idempotency_key UNIQUE (customer_id, idempotency_key),
      CONSTRAINT transfers_not_to_self CHECK (from_account_id <> to_account_id)
    )`);
    await db.query(`CREATE INDEX transfers_resumable_idx ON orchestrator.transfers (next_attempt_at) WHERE status = 'PENDING'`);
    await db.query(`CREATE TABLE orchestrator.deposits (
      id uuid PRIMARY KEY,
      customer_id uuid NOT NULL,
      idempotency_key text NOT NULL,
      request_hash text NOT NULL,
      account_id uuid NOT NULL,
      amount bigint NOT NULL CHECK (amount > 0),
      currency char(3) NOT NULL,
      status text NOT NULL CHECK (status IN ('PENDING', 'COMPLETED')),
      step text NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      last_error text,
      lease_owner text,
      lease_until timestamptz,
      version integer NOT NULL DEFAULT 0,
      responded boolean NOT NULL DEFAULT false,
      correlation_id text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      completed_at timestamptz,
      CONSTRAINT deposits_idempotency_key UNIQUE (customer_id, idempotency_key)
    )`);
    await db.query(`CREATE INDEX deposits_resumable_idx ON orchestrator.deposits (next_attempt_at) WHERE status = 'PENDING'`);
    for (const sql of createOutboxTableSql('orchestrator')) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const sql of dropOutboxTableSql('orchestrator')) await db.query(sql);
    await db.query(`DROP TABLE orchestrator.deposits`);
    await db.query(`DROP TABLE orchestrator.transfers`);
  }
}
