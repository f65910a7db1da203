import { createEnvelope, EventTypes } from '@bank/contracts';
import { outboxWrite } from './outbox.writer.js';

const event = (customerId: string, correlationId = 'corr') =>
  createEnvelope(EventTypes.CustomerRegistered, { customerId, phone: '+4915100000000' }, { correlationId });
const rowsOf = (param: string) => JSON.parse(param) as Record<string, unknown>[];

describe('outboxWrite', () => {
  it('inserts into the schema outbox and wakes its relay with every inserted row, reading its one parameter', () => {
    const { sql } = outboxWrite('accounts', [event('c1')], { param: 5 });
    expect(sql).toMatch(/^INSERT INTO "accounts"\.outbox \(id, type, payload, correlation_id, trace_context\)/);
    expect(sql).toContain('jsonb_to_recordset($5::jsonb)');
    expect(sql).toMatch(/RETURNING id, pg_notify\('accounts_outbox', ''\)$/);
    expect(sql).toContain('WHERE true');
  });

  it('carries each event whole, with its correlation id and no trace context while tracing is off', () => {
    const e = event('c1', 'corr-1');
    const { param } = outboxWrite('auth', [e], { param: 1 });
    expect(rowsOf(param)).toEqual([
      { id: e.id, type: e.type, payload: JSON.parse(JSON.stringify(e)), correlation_id: 'corr-1', trace_context: null },
    ]);
  });

  it('writes only if the CTE named by `when` returned rows', () => {
    expect(outboxWrite('orchestrator', [event('c1')], { param: 6, when: 'moved' }).sql).toContain('WHERE EXISTS (SELECT 1 FROM moved)');
  });

  it("for many rows, writes each row's events only if its ord is in `when`", () => {
    const [a, b, c] = [event('a'), event('b'), event('c')];
    const { sql, param } = outboxWrite('orchestrator', { byRow: [[a], [], [b, c]] }, { param: 3, when: 'moved' });
    expect(sql).toContain('AS e(ord int, id uuid');
    expect(sql).toContain('WHERE e.ord IN (SELECT ord FROM moved)');
    expect(rowsOf(param).map((r) => [r.ord, r.id])).toEqual([
      [0, a.id],
      [2, b.id],
      [2, c.id],
    ]);
  });
});
