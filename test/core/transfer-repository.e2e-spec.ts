import { randomUUID } from 'node:crypto';
import { type DynamicModule, type INestApplicationContext, Module } from '@nestjs/common';
import { createEnvelope, EventTypes } from '@bank/contracts';
import { DatabaseModule, runServiceMigrations } from '@bank/database';
import { orchestratorMigrations } from '../../apps/orchestrator/src/migrations/index.js';
import { ORCHESTRATOR_SCHEMA } from '../../apps/orchestrator/src/orchestrator.schema.js';
import { stepRecord, TransferRepository, type NewTransfer } from '../../apps/orchestrator/src/transfers/transfer.repository.js';
import type { TransferRow } from '../../apps/orchestrator/src/transfers/transfer.row.js';
import { createTestDatabase, uniqueName } from '@bank/testing';
import { startContext } from '../support/nest-context.js';

@Module({})
class RepositoryModule {
  static forRoot(url: string): DynamicModule {
    return {
      module: RepositoryModule,
      imports: [DatabaseModule.forRoot({ schema: ORCHESTRATOR_SCHEMA, url, poolSize: 6, migrations: orchestratorMigrations })],
      providers: [TransferRepository],
    };
  }
}

const OWNER = 'test-owner';
const LEASE_MS = 30_000;

function newTransfer(overrides: Partial<NewTransfer> = {}): NewTransfer {
  return {
    id: randomUUID(),
    customerId: randomUUID(),
    idempotencyKey: randomUUID(),
    requestHash: 'hash',
    fromAccountId: randomUUID(),
    toAccountId: randomUUID(),
    amount: 100,
    currency: 'EUR',
    reference: null,
    correlationId: randomUUID(),
    ...overrides,
  };
}

/**
 * The saga's writes are grouped: concurrent sagas' inserts and moves share one statement. These
 * tests drive more writes at once than may be in flight, so later ones do share a batch, and check
 * that every row keeps its own guard, result and events.
 */
describe('transfer repository: grouped saga writes (real Postgres)', () => {
  const name = uniqueName('sagarepo');
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let context: INestApplicationContext;
  let repo: TransferRepository;

  const outboxIds = async () =>
    (await db.pool.query<{ id: string }>(`SELECT id FROM ${ORCHESTRATOR_SCHEMA}.outbox ORDER BY id`)).rows.map((r) => r.id).sort();

  beforeAll(async () => {
    db = await createTestDatabase(name);
    await runServiceMigrations({ schema: ORCHESTRATOR_SCHEMA, url: db.url, migrations: orchestratorMigrations });
    context = await startContext(RepositoryModule.forRoot(db.url));
    repo = context.get(TransferRepository);
  }, 30_000);

  afterAll(async () => {
    await context?.close();
    await db?.drop();
  }, 30_000);

  it('inserts concurrent sagas, and gives a key used twice at once one saga for both', async () => {
    const customerId = randomUUID();
    const twin = newTransfer({ customerId, idempotencyKey: 'same-key' });
    const inputs = [
      newTransfer(),
      newTransfer(),
      newTransfer(),
      twin,
      newTransfer({ customerId, idempotencyKey: 'same-key' }),
      newTransfer(),
    ];
    const results = await Promise.all(inputs.map((t) => repo.insertOrGet(t, OWNER, LEASE_MS)));

    expect(results.filter((r) => r.created)).toHaveLength(5);
    results.forEach((r, i) => {
      if (i === 3 || i === 4) return;
      expect(r).toMatchObject({ created: true, row: { id: inputs[i]?.id, status: 'PENDING', step: 'RESERVE_FUNDS', lease_owner: OWNER } });
      expect(r.row.steps).toEqual([expect.objectContaining({ name: 'RESERVE_FUNDS', status: 'STARTED' })]);
    });
    // Whichever of the twins won, both got the winner's row.
    const [a, b] = [results[3], results[4]];
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(a.row.id).toBe(b.row.id);
    const { rows } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${ORCHESTRATOR_SCHEMA}.transfers WHERE customer_id = $1 AND idempotency_key = 'same-key'`,
      [customerId],
    );
    expect(rows[0]?.n).toBe(1);
  });

  it('moves concurrent sagas each by its own guard: a stale version writes neither its state nor its events', async () => {
    const rows: TransferRow[] = [];
    for (let i = 0; i < 6; i++) rows.push((await repo.insertOrGet(newTransfer(), OWNER, LEASE_MS)).row);
    const before = await outboxIds();
    const completed = (row: TransferRow) =>
      createEnvelope(
        EventTypes.TransferCompleted,
        {
          transferId: row.id,
          fromAccountId: row.from_account_id,
          toAccountId: row.to_account_id,
          fromCustomerId: row.customer_id,
          toCustomerId: randomUUID(),
          amount: Number(row.amount),
          currency: row.currency,
          reference: null,
        },
        { correlationId: row.correlation_id },
      );
    const events = rows.map(completed);
    // The last two are stale: one by version (another driver wrote since), one by owner.
    const stale = [{ ...rows[4], version: rows[4].version - 1 }, rows[5]];
    const moves = [...rows.slice(0, 4), ...stale].map((row, i) =>
      repo.moveTo(row, i === 5 ? 'someone-else' : OWNER, LEASE_MS, {
        step: 'DONE',
        status: 'COMPLETED',
        records: [stepRecord('COMMIT_FUNDS', 'SUCCEEDED')],
        events: [events[i]],
        finalEventId: events[i].id,
      }),
    );
    const moved = await Promise.all(moves);

    moved.slice(0, 4).forEach((row, i) => {
      expect(row).toMatchObject({
        id: rows[i].id,
        status: 'COMPLETED',
        step: 'DONE',
        version: rows[i].version + 1,
        lease_owner: null,
        final_event_id: events[i].id,
      });
      expect(row?.steps.map((s) => `${s.name}:${s.status}`)).toEqual(['RESERVE_FUNDS:STARTED', 'COMMIT_FUNDS:SUCCEEDED']);
    });
    expect(moved.slice(4)).toEqual([null, null]);
    expect(await outboxIds()).toEqual([...before, ...events.slice(0, 4).map((e) => e.id)].sort());
    const { rows: untouched } = await db.pool.query<{ status: string; version: number }>(
      `SELECT status, version FROM ${ORCHESTRATOR_SCHEMA}.transfers WHERE id = ANY($1) ORDER BY id`,
      [[rows[4].id, rows[5].id]],
    );
    expect(untouched).toEqual([
      { status: 'PENDING', version: 0 },
      { status: 'PENDING', version: 0 },
    ]);
  });

  it('moves forward without a flush and leaves the row to the same owner, with its lease renewed', async () => {
    const { row } = await repo.insertOrGet(newTransfer(), OWNER, LEASE_MS);
    const [next, again] = await Promise.all([
      repo.moveTo(row, OWNER, LEASE_MS, {
        step: 'POST_LEDGER',
        records: [stepRecord('RESERVE_FUNDS', 'SUCCEEDED')],
        toCustomerId: randomUUID(),
        durable: false,
      }),
      // The same row twice at once: only one write can match its version.
      repo.moveTo(row, OWNER, LEASE_MS, { step: 'POST_LEDGER', records: [stepRecord('RESERVE_FUNDS', 'SUCCEEDED')], durable: false }),
    ]);
    expect([next, again].filter((r) => r !== null)).toHaveLength(1);
    const winner = (next ?? again)!;
    expect(winner).toMatchObject({ status: 'PENDING', step: 'POST_LEDGER', lease_owner: OWNER, version: row.version + 1 });
    expect(await repo.findById(row.id)).toMatchObject({ step: 'POST_LEDGER', version: row.version + 1 });
  });
});
