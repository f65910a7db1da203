import type { MigrationInterface, QueryRunner } from 'typeorm';
import { addInboxAttemptsSql, dropInboxAttemptsSql } from '@bank/messaging';

/** The inbox row says after how many attempts audit applied the event (a transfer's page shows it). */
export class AuditInboxAttempts1765100000000 implements MigrationInterface {
  name = 'AuditInboxAttempts1765100000000';

  async up(db: QueryRunner): Promise<void> {
    for (const sql of addInboxAttemptsSql('audit')) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const sql of dropInboxAttemptsSql('audit')) await db.query(sql);
  }
}
