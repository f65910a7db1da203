import { randomBytes, randomUUID } from 'node:crypto';
import { type DynamicModule, type INestApplicationContext, Module } from '@nestjs/common';
import { DatabaseModule, Pruner, RetentionConfig, RetentionModule, runServiceMigrations } from '@bank/database';
import { analyticsRetention } from '../../apps/analytics/src/analytics.module.js';
import { analyticsMigrations } from '../../apps/analytics/src/migrations/index.js';
import { authRetention } from '../../apps/auth/src/auth.module.js';
import { authMigrations } from '../../apps/auth/src/migrations/index.js';
import { notificationsMigrations } from '../../apps/notifications/src/migrations/index.js';
import { notificationsRetention } from '../../apps/notifications/src/notifications.module.js';
import { orchestratorMigrations } from '../../apps/orchestrator/src/migrations/index.js';
import { orchestratorRetention } from '../../apps/orchestrator/src/orchestrator.module.js';
import { createTestDatabase, uniqueName } from '@bank/testing';
import { startContext } from '../support/nest-context.js';

const HOUR = 3_600_000;
/** The defaults: what production runs. Rows are seeded old, the retention is not shortened. */
const retention = new RetentionConfig();
/** Small batches, so that pruning has to loop; the timer is out of the way (pruneAll is called). */
const tuning = { RETENTION_BATCH_SIZE: 3, RETENTION_INTERVAL_MS: 3_600_000 };

@Module({})
class PruningModule {
  static forRoot(url: string): DynamicModule {
    const rules = (r: RetentionConfig) => [
      ...analyticsRetention(r),
      ...notificationsRetention(r),
      ...authRetention(r),
      ...orchestratorRetention(r),
    ];
    return {
      module: PruningModule,
      imports: [DatabaseModule.forRoot({ schema: 'analytics', url, poolSize: 2, migrations: [] }), RetentionModule.forRoot(rules, tuning)],
    };
  }
}

/**
 * Every app's retention rules, as the apps register them, against their real tables: rows older
 * than the retention go (in batches), younger ones stay, and the tables stay bounded.
 */
describe('retention: pruning in batches (real Postgres)', () => {
  const name = uniqueName('retention');
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let context: INestApplicationContext;

  const ago = (hours: number) => new Date(Date.now() - hours * HOUR);
  const query = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows as T[];
  const ids = async (sql: string) => (await query<{ id: string }>(sql)).map((r) => r.id).sort();

  beforeAll(async () => {
    db = await createTestDatabase(name);
    for (const [schema, migrations] of [
      ['analytics', analyticsMigrations],
      ['notifications', notificationsMigrations],
      ['auth', authMigrations],
      ['orchestrator', orchestratorMigrations],
    ] as const) {
      await runServiceMigrations({ schema, url: db.url, migrations: [...migrations] });
    }
    context = await startContext(PruningModule.forRoot(db.url));
  }, 30_000);

  afterAll(async () => {
    await context?.close();
    await db?.drop();
  });

  it('deletes inbox rows, messages, challenges and rate rows older than their retention, and keeps the rest', async () => {
    const old: Record<string, string[]> = { analytics: [], notifications: [], messages: [], challenges: [], rates: [] };
    const kept: Record<string, string[]> = { analytics: [], notifications: [], messages: [], challenges: [], rates: [] };
    const inboxHours = retention.INBOX_RETENTION_HOURS;
    const otpHours = retention.OTP_RETENTION_HOURS;
    // 7 old rows per table (three batches of 3), 2 young ones, one of them just inside the retention.
    for (let i = 0; i < 9; i++) {
      const young = i >= 7;
      const hours = young ? (i === 7 ? 0 : 0.95) : 1.05 + i;
      for (const schema of ['analytics', 'notifications'] as const) {
        const id = randomUUID();
        await query(
          `INSERT INTO ${schema}.inbox (subscriber, event_id, event_type, received_at) VALUES ($1, $2, 'transfer.completed', $3)`,
          [schema, id, ago(inboxHours * hours)],
        );
        (young ? kept : old)[schema].push(id);
      }
      const message = randomUUID();
      await query(
        `INSERT INTO notifications.messages (id, recipient, channel, body, sent_at, dedupe_key) VALUES ($1, '+4915100000000', 'sms', 'hi', $2, $3)`,
        [message, ago(retention.NOTIFICATIONS_RETENTION_HOURS * hours), `dedupe-${message}`],
      );
      (young ? kept : old).messages.push(message);
      const challenge = randomUUID();
      const phone = `+49151${String(i).padStart(8, '0')}`;
      const expires = ago(otpHours * hours);
      await query(
        `INSERT INTO auth.otp_challenges (id, phone, code_hash, max_attempts, created_at, expires_at) VALUES ($1, $2, $3, 5, $4, $5)`,
        [challenge, phone, randomBytes(32), new Date(expires.getTime() - 300_000), expires],
      );
      (young ? kept : old).challenges.push(challenge);
      // A rate row goes only when even its newest hit is old.
      await query(
        `INSERT INTO auth.otp_rate_limits (kind, subject, hits) VALUES ('phone-starts', $1, ARRAY[$2::timestamptz, $3::timestamptz])`,
        [phone, ago(otpHours * (hours + 3)), ago(otpHours * hours)],
      );
      (young ? kept : old).rates.push(phone);
    }

    await context.get(Pruner).pruneAll();

    expect(await ids(`SELECT event_id AS id FROM analytics.inbox`)).toEqual(kept.analytics.sort());
    expect(await ids(`SELECT event_id AS id FROM notifications.inbox`)).toEqual(kept.notifications.sort());
    expect(await ids(`SELECT id FROM notifications.messages`)).toEqual(kept.messages.sort());
    expect(await ids(`SELECT id FROM auth.otp_challenges`)).toEqual(kept.challenges.sort());
    expect(await ids(`SELECT subject AS id FROM auth.otp_rate_limits WHERE kind = 'phone-starts'`)).toEqual(kept.rates.sort());
  });

  it('clears the Idempotency-Key of finished transfers and deposits past the retention, keeps the records, and frees the key', async () => {
    const customer = randomUUID();
    const hours = retention.IDEMPOTENCY_RETENTION_HOURS;
    expect(hours).toBeGreaterThanOrEqual(24); // the contract's floor
    const transfer = async (key: string, status: string, ageHours: number) => {
      const id = randomUUID();
      await query(
        `INSERT INTO orchestrator.transfers (id, customer_id, idempotency_key, request_hash, from_account_id, to_account_id, amount, currency,
                                             status, step, correlation_id, created_at)
         VALUES ($1, $2, $3, 'h', $4, $5, 100, 'EUR', $6, 'DONE', 'c', $7)`,
        [id, customer, key, randomUUID(), randomUUID(), status, ago(ageHours)],
      );
      return id;
    };
    const deposit = async (key: string, status: string, ageHours: number) => {
      const id = randomUUID();
      await query(
        `INSERT INTO orchestrator.deposits (id, customer_id, idempotency_key, request_hash, account_id, amount, currency, status, step,
                                            correlation_id, created_at)
         VALUES ($1, $2, $3, 'h', $4, 100, 'EUR', $5, 'DONE', 'c', $6)`,
        [id, customer, key, randomUUID(), status, ago(ageHours)],
      );
      return id;
    };
    const oldKeys = Array.from({ length: 5 }, (_, i) => `old-${i}`);
    for (const key of oldKeys) await transfer(key, key.endsWith('0') ? 'FAILED' : 'COMPLETED', hours + 1);
    await transfer('old-but-running', 'PENDING', hours + 1);
    await transfer('young', 'COMPLETED', hours - 1);
    await deposit('old-deposit', 'COMPLETED', hours + 1);
    await deposit('young-deposit', 'COMPLETED', 1);

    await context.get(Pruner).pruneAll();

    const keys = await query<{ idempotency_key: string | null }>(
      `SELECT idempotency_key FROM orchestrator.transfers WHERE customer_id = $1 UNION ALL
       SELECT idempotency_key FROM orchestrator.deposits WHERE customer_id = $1`,
      [customer],
    );
    // Every record is still there; only the old, finished ones lost their key.
    expect(keys).toHaveLength(9);
    expect(
      keys
        .map((k) => k.idempotency_key)
        .filter((k) => k !== null)
        .sort(),
    ).toEqual(['old-but-running', 'young', 'young-deposit']);
    // The key is free again: a new request with it is a new transfer.
    await expect(transfer('old-1', 'PENDING', 0)).resolves.toEqual(expect.any(String));
    // A key still kept is not.
    await expect(transfer('young', 'PENDING', 0)).rejects.toThrow(/transfers_idempotency_key/);
  });
});
