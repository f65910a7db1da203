import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { runServiceMigrations, serviceDataSourceOptions, Sql } from '@bank/database';
import { LEDGER_SCHEMA } from '../ledger.schema.js';
import { ledgerMigrations } from '../migrations/index.js';

/** A throwaway database with the ledger's migrations applied, for specs that must hit real Postgres. */
export interface LedgerTestDatabase {
  url: string;
  dataSource: DataSource;
  sql: Sql;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function admin(statement: string): Promise<void> {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export async function createLedgerTestDatabase(poolSize = 10): Promise<LedgerTestDatabase> {
  // Random name: spec files run in parallel workers and must not see each other's rows.
  const name = `ledger_spec_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  try {
    await runServiceMigrations({ schema: LEDGER_SCHEMA, url: url.toString(), migrations: ledgerMigrations });
    const dataSource = new DataSource({
      ...serviceDataSourceOptions({ schema: LEDGER_SCHEMA, url: url.toString(), migrations: ledgerMigrations, poolSize }),
      // Specs provoke refusals on purpose; TypeORM would print each one.
      logging: false,
    });
    await dataSource.initialize();
    return {
      url: url.toString(),
      dataSource,
      sql: new Sql(dataSource),
      async drop() {
        await dataSource.destroy();
        await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      },
    };
  } catch (error) {
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    throw error;
  }
}

/**
 * The statements Postgres refused with an error while `run` ran (it logs each one with its SQL, so a
 * business refusal must never be one). Observes `sql.rows`, the handlers' one way to the database.
 */
export async function failedStatements(sql: Sql, run: () => Promise<unknown>): Promise<string[]> {
  const failed: string[] = [];
  const rows = sql.rows.bind(sql);
  sql.rows = <T>(text: string, params?: unknown[], options?: Parameters<Sql['rows']>[2]): Promise<T[]> =>
    rows<T>(text, params, options).catch((error: unknown) => {
      failed.push(`${(error as Error).message}: ${text}`);
      throw error;
    });
  try {
    await run();
  } finally {
    sql.rows = rows;
  }
  return failed;
}
