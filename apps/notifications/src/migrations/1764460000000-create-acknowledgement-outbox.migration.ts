import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createOutboxTableSql, dropOutboxTableSql } from '@bank/messaging';

/** notifications acknowledges the transfer events it handled (subscriber.acknowledged) through its own outbox. */
export class CreateNotificationsAcknowledgementOutbox1764460000000 implements MigrationInterface {
  name = 'CreateNotificationsAcknowledgementOutbox1764460000000';

  async up(db: QueryRunner): Promise<void> {
    for (const sql of createOutboxTableSql('notifications')) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const sql of dropOutboxTableSql('notifications')) await db.query(sql);
  }
}
