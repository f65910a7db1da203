import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createOutboxTableSql, dropOutboxTableSql } from '@bank/messaging';

/**
 * analytics publishes nothing any more: its outbox only carried the per-transfer events that told
 * the orchestrator when a transfer's event was handled, which the orchestrator now reads from the
 * inbox (GET /inbox/:eventId). Rows not yet relayed go with the table: the inbox holds the same facts.
 */
export class DropAnalyticsOutbox1764660000000 implements MigrationInterface {
  name = 'DropAnalyticsOutbox1764660000000';

  async up(db: QueryRunner): Promise<void> {
    for (const sql of dropOutboxTableSql('analytics')) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const sql of createOutboxTableSql('analytics')) await db.query(sql);
  }
}
