import type { MigrationInterface, QueryRunner } from 'typeorm';
import { addInboxAttemptsSql, dropInboxAttemptsSql } from '@bank/messaging';

/** The inbox row says after how many attempts notifications applied the event (a transfer's page shows it). */
export class NotificationsInboxAttempts1765100000000 implements MigrationInterface {
  name = 'NotificationsInboxAttempts1765100000000';

  async up(db: QueryRunner): Promise<void> {
    for (const sql of addInboxAttemptsSql('notifications')) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const sql of dropInboxAttemptsSql('notifications')) await db.query(sql);
  }
}
