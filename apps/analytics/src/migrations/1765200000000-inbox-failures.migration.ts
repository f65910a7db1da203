import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createInboxFailuresTableSql, dropInboxFailuresTableSql } from '@bank/messaging';

/** Where an event analytics has not applied sits (retry queue or DLQ), for a transfer's page. */
export class AnalyticsInboxFailures1765200000000 implements MigrationInterface {
  name = 'AnalyticsInboxFailures1765200000000';

  async up(db: QueryRunner): Promise<void> {
    for (const sql of createInboxFailuresTableSql('analytics')) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const sql of dropInboxFailuresTableSql('analytics')) await db.query(sql);
  }
}
