import type { MigrationInterface, QueryRunner } from 'typeorm';
import { addOutboxTraceContextSql, dropOutboxTraceContextSql } from '@bank/messaging';

/** The producer's trace context beside each outbox row (see addOutboxTraceContextSql). */
export class AccountsTraceContext1765000000000 implements MigrationInterface {
  name = 'AccountsTraceContext1765000000000';

  async up(db: QueryRunner): Promise<void> {
    for (const sql of addOutboxTraceContextSql('accounts')) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const sql of dropOutboxTraceContextSql('accounts')) await db.query(sql);
  }
}
