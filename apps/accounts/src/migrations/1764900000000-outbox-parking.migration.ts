import type { MigrationInterface, QueryRunner } from 'typeorm';
import { addOutboxParkingSql, dropOutboxParkingSql } from '@bank/messaging';

/** Outbox rows the broker returns (no queue bound) are retried at a pace, then parked (see addOutboxParkingSql). */
export class AccountsOutboxParking1764900000000 implements MigrationInterface {
  name = 'AccountsOutboxParking1764900000000';

  async up(db: QueryRunner): Promise<void> {
    for (const sql of addOutboxParkingSql('accounts')) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const sql of dropOutboxParkingSql('accounts')) await db.query(sql);
  }
}
