import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource, type MigrationInterface } from 'typeorm';
import { runServiceMigrations, serviceDataSourceOptions, Sql } from '@bank/database';

/** A throwaway database with one service's migrations applied, for specs that must hit real Postgres. */
export interface ServiceTestDatabase {
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

export async function createServiceTestDatabase(options: {
  schema: string;
  migrations: (new () => MigrationInterface)[];
  poolSize?: number;
}): Promise<ServiceTestDatabase> {
  const { schema, migrations, poolSize = 10 } = options;
  // Random name: spec files run in parallel workers and must not see each other's rows.
  const name = `${schema}_spec_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  try {
    await runServiceMigrations({ schema, url: url.toString(), migrations });
    const dataSource = new DataSource({
      ...serviceDataSourceOptions({ schema, url: url.toString(), migrations, poolSize }),
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
