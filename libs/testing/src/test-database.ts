import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { runServiceMigrations, serviceDataSourceOptions, Sql, type ServiceDatabaseOptions } from '@bank/database';

/**
 * A throwaway database with one service's real migrations applied, for the database-tier specs:
 * the guarantees that live in SQL (CHECK constraints, unique indexes, one-statement commands) are
 * tested against Postgres itself, never a double.
 */
export interface TestDatabase {
  url: string;
  dataSource: DataSource;
  sql: Sql;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/** The one variable for the admin connection the database-tier specs create their databases with. */
export const TEST_DATABASE_ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function admin(statement: string): Promise<void> {
  const client = new Client({ connectionString: TEST_DATABASE_ADMIN_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(
  options: Pick<ServiceDatabaseOptions, 'schema' | 'migrations' | 'poolSize'>,
): Promise<TestDatabase> {
  // Random name: spec files run in parallel workers and must not see each other's rows.
  const name = `${options.schema}_spec_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(TEST_DATABASE_ADMIN_URL);
  url.pathname = `/${name}`;
  const service = { schema: options.schema, url: url.toString(), migrations: options.migrations };
  try {
    await runServiceMigrations(service);
    const dataSource = new DataSource(serviceDataSourceOptions({ ...service, poolSize: options.poolSize ?? 10 }));
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
