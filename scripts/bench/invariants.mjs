// The bank's invariants after the load, once the sagas and the subscribers have caught up. Read
// from each service's source of truth in the database (DATABASE_URL), the ledger's reconciliation
// and the subscribers' read APIs. Without the database only the money of the bench's own accounts
// is checked, through the public API.
import pg from 'pg';
import { keepAliveAgent, mapLimit, send, sleep } from './http-client.mjs';

async function tableExists(client, schema, table) {
  const { rows } = await client.query('SELECT to_regclass($1) IS NOT NULL AS ok', [`${schema}.${table}`]);
  return rows[0].ok;
}

const num = (v) => Number(v ?? 0);

/** Everything the checks compare, in one consistent-enough read. */
async function readFacts(client) {
  const facts = {};
  const transfers = await client.query(`SELECT status, count(*)::int AS n FROM orchestrator.transfers GROUP BY status`);
  facts.transfers = Object.fromEntries(transfers.rows.map((r) => [r.status, r.n]));
  const volume = await client.query(
    `SELECT currency, sum(amount)::text AS total FROM orchestrator.transfers WHERE status = 'COMPLETED' GROUP BY currency`,
  );
  facts.completedVolume = Object.fromEntries(volume.rows.map((r) => [r.currency.trim(), num(r.total)]));
  facts.pendingDeposits = (await client.query(`SELECT count(*)::int AS n FROM orchestrator.deposits WHERE status = 'PENDING'`)).rows[0].n;
  const accounts = (
    await client.query(
      `SELECT count(*)::int AS n, COALESCE(sum(balance), 0)::text AS total,
              count(*) FILTER (WHERE balance < 0 OR available_balance < 0)::int AS negative
         FROM accounts.accounts`,
    )
  ).rows[0];
  facts.accounts = { count: accounts.n, totalBalance: num(accounts.total), negative: accounts.negative };
  const deposits = await client.query(
    `SELECT a.currency, count(*)::int AS n, sum(d.amount)::text AS total
       FROM accounts.deposits d JOIN accounts.accounts a ON a.id = d.account_id GROUP BY a.currency`,
  );
  facts.deposits = {
    count: deposits.rows.reduce((n, r) => n + r.n, 0),
    total: deposits.rows.reduce((n, r) => n + num(r.total), 0),
    volume: Object.fromEntries(deposits.rows.map((r) => [r.currency.trim(), num(r.total)])),
  };
  facts.reservedHolds = (await client.query(`SELECT count(*)::int AS n FROM accounts.holds WHERE status = 'RESERVED'`)).rows[0].n;
  facts.customers = (await tableExists(client, 'auth', 'customers'))
    ? (await client.query(`SELECT count(*)::int AS n FROM auth.customers`)).rows[0].n
    : undefined;
  if (await tableExists(client, 'audit', 'records')) {
    const audit = await client.query(
      `SELECT type, count(*)::int AS n, count(DISTINCT event_id)::int AS distinct_ids FROM audit.records
        WHERE type IN ('transfer.completed', 'transfer.failed') GROUP BY type`,
    );
    facts.audit = Object.fromEntries(audit.rows.map((r) => [r.type, { n: r.n, distinct: r.distinct_ids }]));
    // One record per transfer, not only per event id: a transfer must not be audited twice.
    facts.auditTransfersTwice = (
      await client.query(
        `SELECT count(*)::int AS n FROM (SELECT data->>'transferId' FROM audit.records WHERE type = 'transfer.completed'
          GROUP BY data->>'transferId' HAVING count(*) > 1) d`,
      )
    ).rows[0].n;
  }
  return facts;
}

async function readSubscribers(urls, agent) {
  const [reconciliation, analytics] = await Promise.all([
    send(urls.ledger, { path: '/reconciliation', agent, timeoutMs: 120_000 }),
    send(urls.analytics, { path: '/analytics/summary', agent }),
  ]);
  return { reconciliation, analytics };
}

const check = (name, ok, detail) => ({ name, ok: Boolean(ok), detail });

function evaluate(facts, { reconciliation, analytics }, { allowMissing }) {
  const checks = [];
  const completed = facts.transfers.COMPLETED ?? 0;
  const failed = facts.transfers.FAILED ?? 0;
  checks.push(
    check(
      'sagas settled (no PENDING transfer or deposit)',
      (facts.transfers.PENDING ?? 0) === 0 && facts.pendingDeposits === 0,
      `transfers ${JSON.stringify(facts.transfers)}, pending deposits ${facts.pendingDeposits}`,
    ),
  );
  checks.push(
    check('no transfer NEEDS_ATTENTION', (facts.transfers.NEEDS_ATTENTION ?? 0) === 0, `${facts.transfers.NEEDS_ATTENTION ?? 0}`),
  );
  checks.push(
    check(
      'money conserved: sum(balances) == sum(deposits)',
      facts.accounts.totalBalance === facts.deposits.total,
      `${facts.accounts.totalBalance} vs ${facts.deposits.total}`,
    ),
  );
  checks.push(check('no negative balance', facts.accounts.negative === 0, `${facts.accounts.negative} account(s)`));
  checks.push(check('no hold left RESERVED', facts.reservedHolds === 0, `${facts.reservedHolds}`));

  const rec = reconciliation.body;
  checks.push(
    check(
      'ledger == accounts (GET /reconciliation ok)',
      reconciliation.status === 200 &&
        rec?.ok === true &&
        (rec.mismatches ?? []).length === 0 &&
        Object.values(rec.journalTotals ?? {}).every((t) => t === 0),
      reconciliation.status === 200
        ? `ok=${rec?.ok}, mismatches=${(rec?.mismatches ?? []).length}, journal ${JSON.stringify(rec?.journalTotals)}`
        : `GET /reconciliation: ${reconciliation.status || reconciliation.error}`,
    ),
  );

  if (facts.audit === undefined) {
    checks.push({
      ...check('audit: one transfer.completed record per COMPLETED transfer', false, 'no audit.records table'),
      skipped: allowMissing,
    });
  } else {
    const c = facts.audit['transfer.completed'] ?? { n: 0, distinct: 0 };
    const f = facts.audit['transfer.failed'] ?? { n: 0, distinct: 0 };
    checks.push(
      check(
        'audit: one transfer.completed record per COMPLETED transfer',
        c.n === completed && c.distinct === c.n && facts.auditTransfersTwice === 0,
        `${c.n} records (${c.distinct} event ids, ${facts.auditTransfersTwice} transfers twice) vs ${completed} transfers`,
      ),
    );
    checks.push(
      check('audit: one transfer.failed record per FAILED transfer', f.n === failed && f.distinct === f.n, `${f.n} vs ${failed}`),
    );
  }

  if (analytics.status !== 200 || !analytics.body?.transfers) {
    checks.push({
      ...check('analytics == orchestrator/accounts totals', false, `GET /analytics/summary: ${analytics.status || analytics.error}`),
      skipped: allowMissing,
    });
  } else {
    const a = analytics.body;
    const sameMap = (x = {}, y = {}) => {
      const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
      return [...keys].every((k) => num(x[k]) === num(y[k]));
    };
    checks.push(
      check(
        'analytics: transfers completed/failed == orchestrator',
        a.transfers.completed === completed && a.transfers.failed === failed,
        `${a.transfers.completed}/${a.transfers.failed} vs ${completed}/${failed}`,
      ),
    );
    checks.push(
      check(
        'analytics: volume == completed transfer volume',
        sameMap(a.volume, facts.completedVolume),
        `${JSON.stringify(a.volume)} vs ${JSON.stringify(facts.completedVolume)}`,
      ),
    );
    const depositVolume = a.deposits?.volume ?? {};
    checks.push(
      check(
        'analytics: deposits == accounts.deposits',
        num(a.deposits?.count) === facts.deposits.count && sameMap(depositVolume, facts.deposits.volume),
        `${a.deposits?.count} ${JSON.stringify(depositVolume)} vs ${facts.deposits.count} ${JSON.stringify(facts.deposits.volume)}`,
      ),
    );
    checks.push(
      check('analytics: accounts == accounts.accounts', a.accounts === facts.accounts.count, `${a.accounts} vs ${facts.accounts.count}`),
    );
    if (facts.customers !== undefined)
      checks.push(check('analytics: customers == auth.customers', a.customers === facts.customers, `${a.customers} vs ${facts.customers}`));
  }
  return checks;
}

/**
 * Waits (up to `settleS`) until every check passes, then returns the checks as they stand.
 * `{ checks, ok, mode, settledMs }`; a skipped check does not count against `ok`.
 */
export async function checkInvariants({ urls, databaseUrl, settleS, allowMissing, participants, pendingIds }) {
  const agent = keepAliveAgent(4);
  const started = Date.now();
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'bench-invariants' });
  try {
    try {
      await client.connect();
    } catch (error) {
      process.stderr.write(`bench: cannot reach the database (${error.message}); checking the bench's own accounts through the API only\n`);
      return await checkThroughApi({ urls, agent, settleS, participants, pendingIds });
    }
    let checks;
    for (;;) {
      const facts = await readFacts(client);
      checks = evaluate(facts, await readSubscribers(urls, agent), { allowMissing });
      if (checks.every((c) => c.ok || c.skipped) || Date.now() - started > settleS * 1000) break;
      await sleep(500);
    }
    return { mode: 'database', checks, ok: checks.every((c) => c.ok || c.skipped), settledMs: Date.now() - started };
  } finally {
    await client.end().catch(() => undefined);
    agent.destroy();
  }
}

async function checkThroughApi({ urls, agent, settleS, participants, pendingIds }) {
  const started = Date.now();
  const owner = new Map(participants.map((p) => [p.accountId, p]));
  const stillPending = async () => {
    const states = await mapLimit(pendingIds, 8, async (id) => {
      for (const p of participants) {
        const res = await send(urls.orchestrator, { path: `/transfers/${id}`, headers: { authorization: `Bearer ${p.token}` }, agent });
        if (res.status === 200) return res.body.status;
        if (res.status !== 404) return `HTTP ${res.status}`;
      }
      return 'unknown';
    });
    return states.filter((s) => s === 'PENDING').length;
  };
  let pending = await stillPending();
  while (pending > 0 && Date.now() - started < settleS * 1000) {
    await sleep(500);
    pending = await stillPending();
  }
  const accounts = await mapLimit([...owner.values()], 8, (p) =>
    send(urls.orchestrator, { path: `/accounts/${p.accountId}`, headers: { authorization: `Bearer ${p.token}` }, agent }),
  );
  const balances = accounts.map((r) => num(r.body?.balance));
  const total = balances.reduce((a, b) => a + b, 0);
  const deposited = participants.reduce((a, p) => a + p.deposited, 0);
  const reconciliation = await send(urls.ledger, { path: '/reconciliation', agent, timeoutMs: 120_000 });
  const checks = [
    check("sagas settled (the bench's 202s all finished)", pending === 0, `${pending} still PENDING`),
    check(
      'money conserved over the bench accounts',
      accounts.every((r) => r.status === 200) && total === deposited,
      `${total} vs ${deposited}`,
    ),
    check(
      'no negative balance, no hold left',
      accounts.every((r) => num(r.body?.balance) >= 0 && r.body?.availableBalance === r.body?.balance),
      '',
    ),
    check(
      'ledger == accounts (GET /reconciliation ok)',
      reconciliation.status === 200 && reconciliation.body?.ok === true,
      `${reconciliation.status}`,
    ),
    { ...check('audit and analytics totals', false, 'not checkable without DATABASE_URL'), skipped: false },
  ];
  return { mode: 'api', checks, ok: checks.every((c) => c.ok || c.skipped), settledMs: Date.now() - started };
}
