import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createOutboxTableSql, dropOutboxTableSql } from '@bank/messaging';

/**
 * notifications publishes nothing any more: its outbox only carried the per-transfer events that told
 * the orchestrator when a transfer's event was handled, which the orchestrator now reads from the
 * inbox (GET /inbox/:eventId). Rows not yet relayed go with the table: the inbox holds the same facts.
 */
export class DropNotificationsOutbox1764470000000 implements MigrationInterface {
  name = 'DropNotificationsOutbox1764470000000';

  async up(db: QueryRunner): Promise<void> {
    for (const sql of dropOutboxTableSql('notifications')) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const sql of createOutboxTableSql('notifications')) await db.query(sql);
  }
}
