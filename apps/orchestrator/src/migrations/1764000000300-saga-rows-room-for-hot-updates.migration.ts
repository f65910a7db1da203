import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A saga row is updated a few times in its life. With free space left on each page, and no indexed
 * column changed by the forward steps, Postgres updates it in place (a HOT update): no new entry in
 * any of the table's indexes, and less to vacuum.
 */
export class SagaRowsRoomForHotUpdates1764000000300 implements MigrationInterface {
  name = 'SagaRowsRoomForHotUpdates1764000000300';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE orchestrator.transfers SET (fillfactor = 70)`);
    await db.query(`ALTER TABLE orchestrator.deposits SET (fillfactor = 70)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE orchestrator.transfers RESET (fillfactor)`);
    await db.query(`ALTER TABLE orchestrator.deposits RESET (fillfactor)`);
  }
}
