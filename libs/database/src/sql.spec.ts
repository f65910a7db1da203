import type { QueryConfig } from 'pg';
import type { DataSource } from 'typeorm';
import { Sql } from './sql.js';

/** What node-pg is asked to run: the config decides whether Postgres keeps a prepared plan. */
function recordingSql(): { sql: Sql; sent: QueryConfig[] } {
  const sent: QueryConfig[] = [];
  const master = { query: (config: QueryConfig) => (sent.push(config), Promise.resolve({ rows: [] })) };
  return { sql: new Sql({ driver: { master } } as unknown as DataSource), sent };
}

describe('Sql statements', () => {
  it('names a statement by its text, so each connection prepares and plans it once', async () => {
    const { sql, sent } = recordingSql();
    await sql.rows('SELECT $1::int AS a', [1]);
    await sql.rows('SELECT $1::int AS a', [2]);
    await sql.rows('SELECT $1::int AS b', [3]);
    expect(sent[0].name).toMatch(/^s[\w-]{20}$/);
    expect(sent[1].name).toBe(sent[0].name);
    expect(sent[2].name).not.toBe(sent[0].name);
    expect(sent.map((s) => s.values)).toEqual([[1], [2], [3]]);
  });

  it('leaves a statement unnamed with prepare: false, so Postgres plans it on every call', async () => {
    const { sql, sent } = recordingSql();
    await sql.rows('SELECT $1::int AS c', [1], { prepare: false });
    await sql.rows('SELECT $1::int AS c', [2], { prepare: false });
    expect(sent).toEqual([
      { text: 'SELECT $1::int AS c', values: [1] },
      { text: 'SELECT $1::int AS c', values: [2] },
    ]);
  });
});
