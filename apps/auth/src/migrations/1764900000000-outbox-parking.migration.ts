import type { MigrationInterface, QueryRunner } from 'typeorm';
import { addOutboxParkingSql, dropOutboxParkingSql } from '@bank/messaging';

/** Outbox rows the broker returns (no queue bound) are retried at a pace, then parked (see addOutboxParkingSql). */
export class AuthOutboxParking1764900000000 implements MigrationInterface {
  name = 'AuthOutboxParking1764900000000';

  async up(db: QueryRunner): Promise<void> {
    for (const sql of addOutboxParkingSql('auth')) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const sql of dropOutboxParkingSql('auth')) await db.query(sql);
  }
}
