import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Messages are pruned by age (NOTIFICATIONS_RETENTION_HOURS): the oldest found without a scan. */
export class MessagesByAge1764900000000 implements MigrationInterface {
  name = 'MessagesByAge1764900000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX messages_sent_idx ON notifications.messages (sent_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX notifications.messages_sent_idx`);
  }
}
