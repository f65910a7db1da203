import type pg from 'pg';

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
