import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The id of the event a transfer's final state published (transfer.completed or transfer.failed), so
 * its timeline can ask each subscriber's inbox about that event. NULL for NEEDS_ATTENTION (no event)
 * and for transfers finished before this column existed.
 */
export class AddTransferFinalEventId1764000000200 implements MigrationInterface {
  name = 'AddTransferFinalEventId1764000000200';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE orchestrator.transfers ADD COLUMN final_event_id uuid`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE orchestrator.transfers DROP COLUMN final_event_id`);
  }
}
