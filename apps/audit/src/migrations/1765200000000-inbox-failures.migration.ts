import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createInboxFailuresTableSql, dropInboxFailuresTableSql, grantInboxFailuresSql } from '@bank/messaging';

/**
 * Where an event audit has not applied sits (retry queue or DLQ), for a transfer's page. Not part of
 * the trail: its rows change and are pruned, so audit's role may update and delete here only.
 */
export class AuditInboxFailures1765200000000 implements MigrationInterface {
  name = 'AuditInboxFailures1765200000000';

  async up(db: QueryRunner): Promise<void> {
    for (const sql of [...createInboxFailuresTableSql('audit'), ...grantInboxFailuresSql('audit')]) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const sql of dropInboxFailuresTableSql('audit')) await db.query(sql);
  }
}
