import type { MigrationInterface, QueryRunner } from 'typeorm';
import { addOutboxTraceContextSql, dropOutboxTraceContextSql } from '@bank/messaging';

/**
 * The producer's trace context beside each outbox row (see addOutboxTraceContextSql), and the trace
 * context of the request that started a saga, so a step resumed later (a retry, another replica)
 * joins the same trace and the timeline can show its id.
 */
export class OrchestratorTraceContext1765000000000 implements MigrationInterface {
  name = 'OrchestratorTraceContext1765000000000';

  async up(db: QueryRunner): Promise<void> {
    for (const sql of addOutboxTraceContextSql('orchestrator')) await db.query(sql);
    await db.query(`ALTER TABLE orchestrator.transfers ADD COLUMN trace_context jsonb`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE orchestrator.transfers DROP COLUMN trace_context`);
    for (const sql of dropOutboxTraceContextSql('orchestrator')) await db.query(sql);
  }
}
