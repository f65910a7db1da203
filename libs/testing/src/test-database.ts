import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { runServiceMigrations, serviceDataSourceOptions, Sql, type ServiceDatabaseOptions } from '@bank/database';

/**
 * The one variable every test reads for the Postgres admin connection (a role that may create databases
 * and roles): the same DATABASE_ADMIN_URL that start:all and `npm run migrate` read.
 */
export const DATABASE_ADMIN_URL = process.env.DATABASE_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

/** A name no parallel worker or helper picks too: `<prefix>_<time>_<random>`. */
export const uniqueName = (prefix: string) => `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;

/** A throwaway database of its own for one test file. */
export interface ThrowawayDatabase {
  name: string;
  /** The database as the admin role. */
  url: string;
  /** A small pool on `url` for checks no API offers (it connects on first use). */
  pool: pg.Pool;
  /** Closes the pools and drops the database, even with connections left open. */
  drop(): Promise<void>;
}

/** A throwaway database with one service's real migrations applied, and a DataSource on it for the handlers. */
export interface TestDatabase extends ThrowawayDatabase {
  dataSource: DataSource;
  sql: Sql;
}

export type TestDatabaseOptions = Pick<ServiceDatabaseOptions, 'schema' | 'migrations' | 'poolSize'> & { name?: string };

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_ADMIN_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * pool.end() resolves before its clients' sockets are closed, so the forced DROP DATABASE that follows
 * it can terminate one of them; the pool reports that as an 'error', which without a listener is an
 * uncaught exception that fails whichever test Jest is reporting. Any other pool error still throws.
 */
export function ignoreErrorsOnceEnding(pool: pg.Pool): void {
  pool.on('error', (error) => {
    if (!pool.ending) throw error;
  });
}

/**
 * Creates a database (`name`, or `<schema>_spec_<random>`) as DATABASE_ADMIN_URL. With `schema` and
 * `migrations` it runs that service's real migrations into it and opens a DataSource, so the guarantees
 * that live in SQL are tested against Postgres itself, never a double; with a name alone it stays empty
 * for the caller to migrate (several schemas, the system's provisioning).
 *
 * Durability is off for the database (synchronous_commit): a commit does not wait for the WAL flush,
 * which only a crash of Postgres itself could observe; no test crashes Postgres, and the data is thrown
 * away anyway. Visibility, locks and constraints are unchanged.
 */
export async function createTestDatabase(options: TestDatabaseOptions): Promise<TestDatabase>;
export async function createTestDatabase(name: string): Promise<ThrowawayDatabase>;
export async function createTestDatabase(nameOrOptions: string | TestDatabaseOptions): Promise<ThrowawayDatabase | TestDatabase> {
  const options = typeof nameOrOptions === 'string' ? undefined : nameOrOptions;
  // Random name: spec files run in parallel workers and must not see each other's rows.
  const name =
    typeof nameOrOptions === 'string'
      ? nameOrOptions
      : (nameOrOptions.name ?? `${nameOrOptions.schema}_spec_${randomBytes(6).toString('hex')}`);
  const dropDatabase = () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(DATABASE_ADMIN_URL);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 3 });
  ignoreErrorsOnceEnding(pool);
  const database: ThrowawayDatabase = {
    name,
    url: url.toString(),
    pool,
    async drop() {
      await pool.end().catch(() => undefined);
      await dropDatabase();
    },
  };
  try {
    await admin(`ALTER DATABASE "${name}" SET synchronous_commit = off`);
    if (!options) return database;
    const service = { schema: options.schema, url: database.url, migrations: options.migrations };
    await runServiceMigrations(service);
    const dataSource = new DataSource(serviceDataSourceOptions({ ...service, poolSize: options.poolSize ?? 10 }));
    await dataSource.initialize();
    return {
      ...database,
      dataSource,
      sql: new Sql(dataSource),
      async drop() {
        await dataSource.destroy();
        await database.drop();
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
}
