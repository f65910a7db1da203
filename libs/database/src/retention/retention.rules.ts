/**
 * One kind of row that is kept only for a while. `sql` handles ONE batch: it removes (or clears)
 * at most $2 rows older than $1 seconds and returns one row per row it touched.
 */
export interface RetentionRule {
  /** The table, as named in logs and in retention_pruned_total. */
  table: string;
  hours: number;
  sql: string;
}

/**
 * The usual rule: delete rows whose `column` is older than the retention (and match `where`), by
 * ctid so that a batch is one index range scan and one delete, with no key to compare twice.
 */
export function deleteOlderThan(table: string, column: string, hours: number, where = 'true'): RetentionRule {
  return { table, hours, sql: `DELETE FROM ${table} WHERE ${olderThan(table, column, where)} RETURNING 1` };
}

/** The WHERE of one batch ($1 seconds, $2 rows), for rules that do something else than DELETE. */
export function olderThan(table: string, column: string, where = 'true'): string {
  return `ctid = ANY (ARRAY(SELECT ctid FROM ${table} WHERE ${column} < now() - make_interval(secs => $1) AND (${where}) LIMIT $2))`;
}
