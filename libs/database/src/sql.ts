import { Injectable } from '@nestjs/common';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { createHash } from 'node:crypto';
import { failSpan, inSpan, recordingSpan, tracer } from '@bank/common';
import type { Pool, PoolClient, QueryConfig } from 'pg';
import { DataSource } from 'typeorm';

/** Runs SQL and always hands back rows. */
export interface SqlRunner {
  rows<T>(sql: string, params?: unknown[], options?: StatementOptions): Promise<T[]>;
}

export interface StatementOptions {
  /**
   * false: planned on every call, with the table's size as it is now. A prepared statement keeps the
   * plan it settled on at its sixth run until the table's statistics change; for a statement that
   * looks up a few rows of a table that was tiny then and grows fast (a young outbox or trail), that
   * plan can be a sequential scan, slower with every row until autovacuum analyzes the table again.
   * For statements that run once per batch, where planning costs little. Default true.
   */
  prepare?: boolean;
}

/**
 * Statement names by text. The services send a handful of fixed statements many times each: as
 * named prepared statements, Postgres parses and plans each once per connection instead of on every
 * call (node-pg remembers which connection has prepared which name). The name is a hash of the text,
 * so one name never means two statements.
 */
const names = new Map<string, string>();
function statement(text: string, values: unknown[], options?: StatementOptions): QueryConfig {
  if (options?.prepare === false) return { text, values };
  let name = names.get(text);
  if (name === undefined) {
    // Past the cap, texts built at run time (a variable number of rows) go unnamed: naming each would
    // keep a prepared statement per text on every connection, without bound.
    if (names.size >= 1_000) return { text, values };
    name = `s${createHash('sha1').update(text).digest('base64url').slice(0, 20)}`;
    names.set(text, name);
  }
  return { name, text, values };
}

/** Longest statement text kept on a span: the text has no values (they are parameters), only its length varies. */
const MAX_TRACED_TEXT = 2_000;

/**
 * Runs one statement; with tracing on and a sampled span active, as a CLIENT span of its own (the
 * statement's first keyword names it). Statements outside any span (pollers, probes) make none:
 * a trace per poll would bury the ones that matter.
 */
async function query<T>(runner: Pick<Pool, 'query'>, sql: string, params: unknown[], options?: StatementOptions): Promise<T[]> {
  if (!recordingSpan()) return (await runner.query(statement(sql, params, options))).rows as T[];
  const operation = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? 'SQL';
  const span = tracer.startSpan(operation, {
    kind: SpanKind.CLIENT,
    attributes: { 'db.system.name': 'postgresql', 'db.operation.name': operation, 'db.query.text': sql.slice(0, MAX_TRACED_TEXT) },
  });
  try {
    const result = await context.with(trace.setSpan(context.active(), span), () => runner.query(statement(sql, params, options)));
    span.setAttribute('db.response.returned_rows', result.rowCount ?? result.rows.length);
    return result.rows as T[];
  } catch (error) {
    failSpan(span, error);
    throw error;
  } finally {
    span.end();
  }
}

class ClientSql implements SqlRunner {
  constructor(private readonly client: PoolClient) {}
  rows<T>(sql: string, params: unknown[] = [], options?: StatementOptions): Promise<T[]> {
    return query<T>(this.client, sql, params, options);
  }
}

/**
 * The services' access to their own schema, on the pool TypeORM manages (TypeORM runs the
 * migrations; the hot paths go straight to node-pg). Money changes are single SQL statements (one
 * round trip, one commit, atomic on their own); `transaction` is there for the few that need several.
 */
@Injectable()
export class Sql implements SqlRunner {
  constructor(readonly dataSource: DataSource) {}

  rows<T>(sql: string, params: unknown[] = [], options?: StatementOptions): Promise<T[]> {
    return query<T>(this.pool(), sql, params, options);
  }

  /** With tracing on and a sampled span active, the transaction is a span and its statements its children. */
  transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T> {
    if (!recordingSpan()) return this.runTransaction(work);
    return inSpan('transaction', { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql' } }, () =>
      this.runTransaction(work),
    );
  }

  private async runTransaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T> {
    const client = await this.pool().connect();
    // A connection whose BEGIN or ROLLBACK failed is not trusted again: released with the error, the pool drops it.
    let broken: Error | undefined;
    // The pool listens for errors of idle clients only: a connection lost while checked out would
    // otherwise emit an unhandled 'error' and end the process. The pending query rejects anyway.
    const onError = (error: Error) => {
      broken = error;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN').catch((error: Error) => {
        broken = error;
        throw error;
      });
      try {
        const result = await work(new ClientSql(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => {
          broken = rollbackError;
        });
        throw error;
      }
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  private pool(): Pool {
    return (this.dataSource.driver as unknown as { master: Pool }).master;
  }
}
