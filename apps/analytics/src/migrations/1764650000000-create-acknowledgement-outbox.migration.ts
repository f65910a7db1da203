import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createOutboxTableSql, dropOutboxTableSql } from '@bank/messaging';

/** analytics acknowledges the transfer events it handled (subscriber.acknowledged) through its own outbox. */
export class CreateAnalyticsAcknowledgementOutbox1764650000000 implements MigrationInterface {
  name = 'CreateAnalyticsAcknowledgementOutbox1764650000000';

  async up(db: QueryRunner): Promise<void> {
    for (const sql of createOutboxTableSql('analytics')) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const sql of dropOutboxTableSql('analytics')) await db.query(sql);
  }
}
