import { Injectable } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';

/** Runs SQL and always hands back rows (TypeORM's `query()` returns [rows, count] for UPDATE). */
export interface SqlRunner {
  rows<T>(sql: string, params?: unknown[]): Promise<T[]>;
}

class QueryRunnerSql implements SqlRunner {
  constructor(readonly queryRunner: QueryRunner) {}
  async rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const result = (await this.queryRunner.query(sql, params, true)) as { records: T[] };
    return result.records;
  }
}

/**
 * The services' access to their own schema. Money changes are single SQL statements (one round trip,
 * one commit, atomic on their own); `transaction` is there for the few that need several.
 */
@Injectable()
export class Sql implements SqlRunner {
  constructor(readonly dataSource: DataSource) {}

  async rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    // One statement is its own transaction: straight to the pool TypeORM manages, one round trip,
    // without a QueryRunner per call (this is every saga step's hot path).
    const result = (await this.pool().query(sql, params)) as { rows: T[] };
    return result.rows;
  }

  private pool(): { query(sql: string, params: unknown[]): Promise<unknown> } {
    return (this.dataSource.driver as unknown as { master: { query(sql: string, params: unknown[]): Promise<unknown> } }).master;
  }

  async transaction<T>(work: (tx: SqlRunner & { queryRunner: QueryRunner }) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      const result = await work(new QueryRunnerSql(runner));
      await runner.commitTransaction();
      return result;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }
}
