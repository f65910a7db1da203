import pg from 'pg';
import { createTestDatabase, DATABASE_ADMIN_URL, uniqueName } from './test-database.js';

async function exists(name: string): Promise<boolean> {
  const admin = new pg.Client({ connectionString: DATABASE_ADMIN_URL });
  await admin.connect();
  try {
    return (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
  } finally {
    await admin.end();
  }
}

describe('createTestDatabase (real Postgres)', () => {
  it('makes a database of that name with durability off, and drop removes it even with a connection open', async () => {
    const db = await createTestDatabase(uniqueName('harness_spec'));
    const held = await db.pool.connect();
    try {
      expect(await exists(db.name)).toBe(true);
      expect((await held.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0].synchronous_commit).toBe('off');
    } finally {
      held.release();
    }
    await db.drop();
    expect(await exists(db.name)).toBe(false);
  }, 60_000);
});
