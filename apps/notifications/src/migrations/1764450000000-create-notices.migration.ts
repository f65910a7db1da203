import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createInboxTableSql, dropInboxTableSql } from '@bank/messaging';

/**
 * The notices' read model, fed by events (customer -> phone, account -> customer), and the inbox
 * that makes each event count once. Messages themselves go to notifications.messages.
 */
export class CreateNotices1764450000000 implements MigrationInterface {
  name = 'CreateNotices1764450000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE notifications.notice_customers (
      customer_id uuid PRIMARY KEY,
      phone text NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await db.query(`CREATE TABLE notifications.notice_accounts (
      account_id uuid PRIMARY KEY,
      customer_id uuid NOT NULL
    )`);
    for (const sql of createInboxTableSql('notifications')) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const sql of dropInboxTableSql('notifications')) await db.query(sql);
    await db.query(`DROP TABLE notifications.notice_accounts`);
    await db.query(`DROP TABLE notifications.notice_customers`);
  }
}
