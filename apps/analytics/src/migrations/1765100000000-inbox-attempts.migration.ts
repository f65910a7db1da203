import type { MigrationInterface, QueryRunner } from 'typeorm';
import { addInboxAttemptsSql, dropInboxAttemptsSql } from '@bank/messaging';

/** The inbox row says after how many attempts analytics applied the event (a transfer's page shows it). */
export class AnalyticsInboxAttempts1765100000000 implements MigrationInterface {
  name = 'AnalyticsInboxAttempts1765100000000';

  async up(db: QueryRunner): Promise<void> {
    for (const sql of addInboxAttemptsSql('analytics')) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const sql of dropInboxAttemptsSql('analytics')) await db.query(sql);
  }
}
