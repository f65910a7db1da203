import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expectInvariants, type MoneyReport } from '../../support/invariants.js';
import { eventually } from '@bank/testing';
import { type TestSystem } from '../../support/test-system.js';
import type { TransferLoad } from './transfer-load.js';

const run = promisify(execFile);

/** The run's RabbitMQ vhost (the path of its AMQP_URL). */
export function vhostOf(system: TestSystem): string {
  return decodeURIComponent(new URL(system.sys.env.AMQP_URL!).pathname.replace(/^\//, '')) || '/';
}

/** Every queue of the vhost with its messages (ready + unacknowledged), via rabbitmqctl. */
export async function queueDepths(vhost: string): Promise<Record<string, number>> {
  const { stdout } = await run('rabbitmqctl', ['-q', 'list_queues', '-p', vhost, '--no-table-headers', 'name', 'messages']);
  const depths: Record<string, number> = {};
  for (const line of stdout.split('\n')) {
    const [name, messages] = line.trim().split(/\s+/);
    if (name && messages !== undefined && /^\d+$/.test(messages)) depths[name] = Number(messages);
  }
  return depths;
}

async function count(system: TestSystem, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await system.db.query<{ n: string | number }>(sql, params);
  return Number(rows[0]?.n ?? 0);
}

/** Schemas that hold a transactional outbox: together, every event the system produced. */
async function outboxSchemas(system: TestSystem): Promise<string[]> {
  const { rows } = await system.db.query<{ s: string }>(
    `SELECT table_schema AS s FROM information_schema.tables WHERE table_name = 'outbox' ORDER BY 1`,
  );
  return rows.map((r) => r.s);
}

/** `SELECT id, type, payload, published_at FROM <every outbox>` as one SQL expression. */
async function eventsSql(system: TestSystem): Promise<string> {
  const schemas = await outboxSchemas(system);
  if (schemas.length === 0)
    return `(SELECT NULL::uuid AS id, NULL::text AS type, NULL::jsonb AS payload, NULL::timestamptz AS published_at WHERE false)`;
  return `(${schemas.map((s) => `SELECT id, type, payload, published_at FROM "${s}".outbox`).join(' UNION ALL ')})`;
}

/**
 * What the events say against what the services' own tables say, for each subscriber. Every list
 * is empty and every pair equal once the system has caught up and nothing was lost or doubled.
 */
export async function eventReport(system: TestSystem) {
  const events = await eventsSql(system);
  const q = async <T>(sql: string) => (await system.db.query<T & object>(sql)).rows;
  const [produced] = await q<{ total: number; unpublished: number; dup_transfer_events: number }>(`
    SELECT count(*)::int AS total, count(*) FILTER (WHERE published_at IS NULL)::int AS unpublished,
           (SELECT count(*)::int FROM (SELECT 1 FROM ${events} e WHERE type IN ('transfer.completed', 'transfer.failed')
              GROUP BY type, payload->'data'->>'transferId' HAVING count(*) > 1) d) AS dup_transfer_events
      FROM ${events} e`);
  const byType = Object.fromEntries(
    (await q<{ type: string; n: number }>(`SELECT type, count(*)::int AS n FROM ${events} e GROUP BY type`)).map((r) => [r.type, r.n]),
  );
  const [truth] = await q<{
    completed: number;
    failed: number;
    volume: string;
    deposits: number;
    deposit_volume: string;
    accounts: number;
  }>(`
    SELECT (SELECT count(*)::int FROM orchestrator.transfers WHERE status = 'COMPLETED') AS completed,
           (SELECT count(*)::int FROM orchestrator.transfers WHERE status = 'FAILED') AS failed,
           (SELECT COALESCE(sum(amount), 0)::text FROM orchestrator.transfers WHERE status = 'COMPLETED') AS volume,
           (SELECT count(*)::int FROM accounts.deposits) AS deposits,
           (SELECT COALESCE(sum(amount), 0)::text FROM accounts.deposits) AS deposit_volume,
           (SELECT count(*)::int FROM accounts.accounts) AS accounts`);
  // A completed transfer without its event, or an event for a transfer that did not complete.
  const [transferEvents] = await q<{ completed_without_event: number; failed_without_event: number; event_without_transfer: number }>(`
    SELECT (SELECT count(*)::int FROM orchestrator.transfers t WHERE t.status = 'COMPLETED' AND NOT EXISTS
              (SELECT 1 FROM ${events} e WHERE e.type = 'transfer.completed' AND e.payload->'data'->>'transferId' = t.id::text)) AS completed_without_event,
           (SELECT count(*)::int FROM orchestrator.transfers t WHERE t.status = 'FAILED' AND NOT EXISTS
              (SELECT 1 FROM ${events} e WHERE e.type = 'transfer.failed' AND e.payload->'data'->>'transferId' = t.id::text)) AS failed_without_event,
           (SELECT count(*)::int FROM ${events} e WHERE e.type IN ('transfer.completed', 'transfer.failed') AND NOT EXISTS
              (SELECT 1 FROM orchestrator.transfers t WHERE t.id::text = e.payload->'data'->>'transferId'
                 AND t.status = CASE e.type WHEN 'transfer.completed' THEN 'COMPLETED' ELSE 'FAILED' END)) AS event_without_transfer`);
  const [audit] = await q<{ records: number; missing: number; unknown: number; doubled: number }>(`
    SELECT (SELECT count(*)::int FROM audit.records) AS records,
           (SELECT count(*)::int FROM ${events} e WHERE NOT EXISTS (SELECT 1 FROM audit.records r WHERE r.event_id = e.id)) AS missing,
           (SELECT count(*)::int FROM audit.records r WHERE NOT EXISTS (SELECT 1 FROM ${events} e WHERE e.id = r.event_id)) AS unknown,
           (SELECT (count(*) - count(DISTINCT event_id))::int FROM audit.records) AS doubled`);
  const [notices] = await q<{ received: number; failed: number; completed_without_notice: number; failed_without_notice: number }>(`
    SELECT (SELECT count(*)::int FROM notifications.messages WHERE dedupe_key LIKE 'notice:transfer-received:%') AS received,
           (SELECT count(*)::int FROM notifications.messages WHERE dedupe_key LIKE 'notice:transfer-failed:%') AS failed,
           (SELECT count(*)::int FROM orchestrator.transfers t WHERE t.status = 'COMPLETED' AND NOT EXISTS
              (SELECT 1 FROM notifications.messages m WHERE m.dedupe_key = 'notice:transfer-received:' || t.id::text)) AS completed_without_notice,
           (SELECT count(*)::int FROM orchestrator.transfers t WHERE t.status = 'FAILED' AND NOT EXISTS
              (SELECT 1 FROM notifications.messages m WHERE m.dedupe_key = 'notice:transfer-failed:' || t.id::text)) AS failed_without_notice`);
  const analyticsRes = await system.http('analytics').get('/analytics/summary');
  const a = analyticsRes.body as {
    transfers: { completed: number; failed: number };
    volume: Record<string, number>;
    deposits: { count: number; volume: Record<string, number> };
    customers: number;
    accounts: number;
  };
  const sum = (m: Record<string, number> | undefined) => Object.values(m ?? {}).reduce((x, y) => x + Number(y), 0);
  return {
    outbox: { unpublished: produced.unpublished, transferEventsTwice: produced.dup_transfer_events, ...transferEvents },
    audit: { events: produced.total, records: audit.records, missing: audit.missing, unknown: audit.unknown, doubled: audit.doubled },
    // [analytics, truth] pairs; the truth of customers and accounts is the events that announced them.
    analytics:
      analyticsRes.status === 200
        ? {
            transfersCompleted: [a.transfers.completed, truth.completed],
            transfersFailed: [a.transfers.failed, truth.failed],
            volume: [sum(a.volume), Number(truth.volume)],
            deposits: [a.deposits.count, truth.deposits],
            depositVolume: [sum(a.deposits.volume), Number(truth.deposit_volume)],
            customers: [a.customers, byType['customer.registered'] ?? 0],
            accounts: [a.accounts, byType['account.opened'] ?? 0],
          }
        : { status: [analyticsRes.status, 200] },
    notifications: {
      received: [notices.received, truth.completed],
      failed: [notices.failed, truth.failed],
      completedWithoutNotice: notices.completed_without_notice,
      failedWithoutNotice: notices.failed_without_notice,
    },
  };
}

export type EventReport = Awaited<ReturnType<typeof eventReport>>;

function eventsCaughtUp(r: EventReport): boolean {
  const pairsEqual = (o: Record<string, unknown>) => Object.values(o).every((v) => !Array.isArray(v) || v[0] === v[1]);
  return (
    r.outbox.unpublished === 0 &&
    r.outbox.transferEventsTwice === 0 &&
    r.outbox.completed_without_event === 0 &&
    r.outbox.failed_without_event === 0 &&
    r.outbox.event_without_transfer === 0 &&
    r.audit.missing === 0 &&
    r.audit.unknown === 0 &&
    r.audit.doubled === 0 &&
    r.audit.records === r.audit.events &&
    pairsEqual(r.analytics) &&
    pairsEqual(r.notifications) &&
    r.notifications.completedWithoutNotice === 0 &&
    r.notifications.failedWithoutNotice === 0
  );
}

/**
 * Per transfer, what the ledger and the holds did must match its final status: a COMPLETED one
 * moved exactly its amount once (debit payer, credit payee), a FAILED one moved nothing (or was
 * reversed) and released its hold. Returns the transfers that break it.
 */
export async function transferEffects(system: TestSystem) {
  const { rows } = await system.db.query(`
    SELECT t.id, t.status, t.amount::text AS amount, from_net::text, to_net::text, other_net::text, postings, h.status AS hold
      FROM orchestrator.transfers t
      LEFT JOIN LATERAL (
        SELECT COALESCE(sum(e.amount) FILTER (WHERE e.account_id = t.from_account_id), 0) AS from_net,
               COALESCE(sum(e.amount) FILTER (WHERE e.account_id = t.to_account_id), 0) AS to_net,
               COALESCE(sum(e.amount) FILTER (WHERE e.account_id NOT IN (t.from_account_id, t.to_account_id)), 0) AS other_net,
               (SELECT string_agg(p2.kind, ',' ORDER BY p2.kind) FROM ledger.postings p2 WHERE p2.transfer_id = t.id) AS postings
          FROM ledger.postings p JOIN ledger.entries e ON e.posting_id = p.id
         WHERE p.transfer_id = t.id) l ON true
      LEFT JOIN accounts.holds h ON h.transfer_id = t.id
     WHERE ((t.status = 'COMPLETED' AND from_net = -t.amount AND to_net = t.amount AND other_net = 0 AND postings = 'TRANSFER' AND h.status = 'CAPTURED')
         OR (t.status = 'FAILED' AND from_net = 0 AND to_net = 0 AND other_net = 0 AND (h.status IS NULL OR h.status = 'RELEASED'))) IS NOT TRUE`);
  const [orphans] = (
    await system.db.query<{ postings: number; holds: number }>(`
      SELECT (SELECT count(*)::int FROM ledger.postings p WHERE p.transfer_id IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM orchestrator.transfers t WHERE t.id = p.transfer_id)) AS postings,
             (SELECT count(*)::int FROM accounts.holds h WHERE h.status <> 'RELEASED'
                AND NOT EXISTS (SELECT 1 FROM orchestrator.transfers t WHERE t.id = h.transfer_id)) AS holds`)
  ).rows;
  return { wrong: rows, orphanPostings: orphans.postings, orphanHolds: orphans.holds };
}

/** What clients were told against what the bank did, key by key. */
async function clientView(system: TestSystem, load: TransferLoad) {
  const problems: string[] = [];
  const { rows } = await system.db.query<{ customer_id: string; idempotency_key: string; id: string; status: string; amount: string }>(
    `SELECT customer_id, idempotency_key, id, status, amount::text FROM orchestrator.transfers`,
  );
  const byKey = new Map(rows.map((r) => [`${r.customer_id}/${r.idempotency_key}`, r]));
  for (const o of load.outcomes) {
    const row = byKey.get(`${o.payer.customerId}/${o.key}`);
    if (!row) {
      problems.push(`key ${o.key}: answered ${o.status} but no transfer exists`);
      continue;
    }
    if (o.id && o.id !== row.id) problems.push(`key ${o.key}: answered id ${o.id}, stored ${row.id}`);
    if (Number(row.amount) !== o.amount) problems.push(`key ${o.key}: amount ${o.amount}, stored ${row.amount}`);
    if (o.status === 201 && row.status !== 'COMPLETED') problems.push(`key ${o.key}: answered 201 but ${row.status}`);
    if (o.status === 422 && row.status !== 'FAILED') problems.push(`key ${o.key}: answered 422 ${o.code} but ${row.status}`);
  }
  return { problems, answered: load.outcomes.length, unresolved: load.unresolved.length, unexpected: load.unexpected };
}

/**
 * After a fault and its recovery: every transfer reaches a final state, the money invariants
 * hold, each transfer's effect matches its status exactly once, clients were told the truth, and
 * every event reached audit (exactly one record per event id), analytics (counts equal the
 * truth) and notifications (one notice per outcome), with nothing parked in a dead-letter queue.
 */
export async function expectConsistent(system: TestSystem, load?: TransferLoad, { timeoutMs = 90_000 } = {}): Promise<MoneyReport> {
  await eventually(
    () =>
      count(
        system,
        `SELECT (SELECT count(*) FROM orchestrator.transfers WHERE status = 'PENDING') + (SELECT count(*) FROM orchestrator.deposits WHERE status = 'PENDING') AS n`,
      ),
    (n) => n === 0,
    { timeoutMs, intervalMs: 250 },
  );
  expect(await count(system, `SELECT count(*) AS n FROM orchestrator.transfers WHERE status = 'NEEDS_ATTENTION'`)).toBe(0);
  const money = await expectInvariants(system);
  expect(await transferEffects(system)).toEqual({ wrong: [], orphanPostings: 0, orphanHolds: 0 });

  if (load) {
    const view = await clientView(system, load);
    expect(view.unexpected).toEqual([]);
    expect(view.unresolved).toBe(0);
    expect(view.problems).toEqual([]);
  }

  const report = await eventually(() => eventReport(system), eventsCaughtUp, { timeoutMs, intervalMs: 500 });
  expect(eventsCaughtUp(report)).toBe(true);
  const verify = await system.http('audit').get('/audit/verify').expect(200);
  expect(verify.body).toMatchObject({ valid: true, records: report.audit.records });
  // Nothing given up on: a parked event is an event some subscriber never applied.
  const depths = await queueDepths(vhostOf(system));
  expect(Object.entries(depths).filter(([name, n]) => name.endsWith('.dlq') && n > 0)).toEqual([]);
  return money;
}

/** Test settings that make recovery quick: short saga timers, fast reconnects and retries. */
export const FAST_RECOVERY_ENV = {
  // One call (2 x 900 ms + a pause) ends within the lease: boot refuses settings where it cannot.
  RPC_TIMEOUT_MS: '900',
  RPC_RETRIES: '1',
  SAGA_SYNC_WAIT_MS: '3000',
  SAGA_LEASE_MS: '2000',
  SAGA_RECOVERY_INTERVAL_MS: '250',
  // Long enough that a killed service is back before the saga gives up on it.
  SAGA_STEP_BUDGET_MS: '30000',
  SAGA_MAX_BACKOFF_MS: '500',
  OUTBOX_POLL_MS: '200',
  AMQP_RECONNECT_MAX_MS: '1000',
  EVENTS_RETRY_DELAYS_MS: '200,500,1000,2000,4000',
  LOG_LEVEL: 'warn',
};
