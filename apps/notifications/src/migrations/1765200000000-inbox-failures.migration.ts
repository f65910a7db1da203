import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createInboxFailuresTableSql, dropInboxFailuresTableSql } from '@bank/messaging';

/** Where an event notifications has not applied sits (retry queue or DLQ), for a transfer's page. */
export class NotificationsInboxFailures1765200000000 implements MigrationInterface {
  name = 'NotificationsInboxFailures1765200000000';

  async up(db: QueryRunner): Promise<void> {
    for (const sql of createInboxFailuresTableSql('notifications')) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const sql of dropInboxFailuresTableSql('notifications')) await db.query(sql);
  }
}
