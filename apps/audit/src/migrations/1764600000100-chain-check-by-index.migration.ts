import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The chain check reads the trail's head on every insert. PL/pgSQL keeps the query's plan for the
 * life of the connection; made while the trail was a few rows long, it could be a sequential scan
 * and a sort, reading the whole trail on every insert until autovacuum analyzed it again. Without
 * sequential scans the planner walks the primary key backwards, the right plan at any size.
 */
export class ChainCheckByIndex1764600000100 implements MigrationInterface {
  name = 'ChainCheckByIndex1764600000100';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER FUNCTION audit.check_link() SET enable_seqscan = off`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER FUNCTION audit.check_link() RESET enable_seqscan`);
  }
}
