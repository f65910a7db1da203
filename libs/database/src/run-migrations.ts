import { DataSource } from 'typeorm';
import { Client } from 'pg';
import { serviceDataSourceOptions, type ServiceDatabaseOptions } from './database.options.js';

/**
 * Creates the service's schema when missing and runs its pending migrations. Safe to run from
 * several processes at once: a Postgres advisory lock serialises them.
 */
export async function runServiceMigrations(options: ServiceDatabaseOptions): Promise<string[]> {
  const lockClient = new Client({ connectionString: options.url });
  await lockClient.connect();
  try {
    await lockClient.query('SELECT pg_advisory_lock(hashtext($1))', [`migrations:${options.schema}`]);
    // Provisioning creates the schema for its owner role, which may not create schemas itself
    // (CREATE SCHEMA IF NOT EXISTS checks that right even when the schema exists).
    const { rowCount } = await lockClient.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [options.schema]);
    if (rowCount === 0) await lockClient.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
    const dataSource = new DataSource({ ...serviceDataSourceOptions({ ...options, poolSize: 1 }) });
    await dataSource.initialize();
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await lockClient.query('SELECT pg_advisory_unlock(hashtext($1))', [`migrations:${options.schema}`]).catch(() => undefined);
    await lockClient.end();
  }
}
