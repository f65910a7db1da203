import { createPublicKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { chainHash } from '../../apps/audit/src/trail/audit-chain.js';
import { toChainRecord, type AuditRecordRow } from '../../apps/audit/src/trail/audit-record.row.js';
import { checkpointVerifies, ed25519KeyId, type SignedCheckpoint } from '../../apps/audit/src/checkpoints/checkpoint-signer.js';
import { BankClient } from '../support/bank-client.js';
import { eventually } from '@bank/testing';
import { startTestSystem, type TestSystem } from '../support/test-system.js';

/** The trail's last two records. */
const DELETE_TAIL = 'DELETE FROM audit.records WHERE seq IN (SELECT seq FROM audit.records ORDER BY seq DESC LIMIT 2)';

interface Verify {
  valid: boolean;
  records: number;
  reason?: string;
  firstInvalidSeq?: number;
  checkpointSeq?: number;
}

/**
 * The trail anchored by signed checkpoints, against a Postgres superuser: with the append-only
 * triggers switched off (session_replication_role = replica) the superuser deletes the trail's tail,
 * or rewrites and re-hashes the whole chain so every link matches again. The hash chain alone cannot
 * tell; the checkpoint audit signed with a key the database never sees can. Each case starts from
 * the untouched trail, put back from a copy.
 */
describe('audit trail anchored by signed checkpoints (real apps, Postgres superuser)', () => {
  let system: TestSystem;
  let head: { seq: number; hash: string };
  /** Records in the untouched trail (seqs may have gaps: a rolled-back batch uses up its numbers). */
  let trail: number;

  const verify = async () => (await system.http('audit').get('/audit/verify').expect(200)).body as Verify;
  const checkpoints = async () => (await system.http('audit').get('/audit/checkpoints').expect(200)).body as SignedCheckpoint[];
  const records = async () => (await system.db.query<AuditRecordRow>(`SELECT * FROM audit.records ORDER BY seq`)).rows;

  /** As the superuser with audit's triggers off, in one transaction. */
  async function asSuperuserWithoutTriggers(work: (client: pg.PoolClient) => Promise<void>): Promise<void> {
    const client = await system.db.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL session_replication_role = replica');
      await work(client);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  async function restore(): Promise<void> {
    await asSuperuserWithoutTriggers(async (client) => {
      await client.query('DELETE FROM audit.records');
      await client.query('INSERT INTO audit.records SELECT * FROM public.records_copy');
      await client.query('DELETE FROM audit.checkpoints');
      await client.query('INSERT INTO audit.checkpoints SELECT * FROM public.checkpoints_copy');
    });
    expect(await verify()).toMatchObject({ valid: true, records: trail });
  }

  beforeAll(async () => {
    // A short interval, so the periodic signing shows within the test.
    system = await startTestSystem({
      apps: ['orchestrator', 'auth', 'notifications', 'audit'],
      env: { AUDIT_CHECKPOINT_INTERVAL_MS: '300' },
    });
    const bank = new BankClient(system);
    for (let i = 0; i < 3; i++) await bank.login();
    // Quiet from here on: every event the producers wrote is in the trail.
    const produced = async () => {
      const { rows } = await system.db.query<{ s: string }>(
        `SELECT table_schema AS s FROM information_schema.tables WHERE table_name = 'outbox'`,
      );
      let n = 0;
      for (const { s } of rows) n += (await system.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${s}".outbox`)).rows[0].n;
      return n;
    };
    const expected = await produced();
    expect(expected).toBeGreaterThanOrEqual(6);
    await eventually(
      async () => (await system.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit.records`)).rows[0].n,
      (n) => n === expected,
    );
    const last = (await records()).at(-1)!;
    head = { seq: Number(last.seq), hash: last.hash };
    trail = expected;
  }, 300_000);

  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  it('signs the head at the interval, served newest first, verifiable with audit-checkpoint.pub', async () => {
    const signed = await eventually(checkpoints, (list) => list[0]?.seq === head.seq);
    expect(Object.keys(signed[0]).sort()).toEqual(['hash', 'keyId', 'seq', 'signature', 'signedAt']);
    expect(signed[0].hash).toBe(head.hash);
    const times = signed.map((c) => Date.parse(c.signedAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const publicKey = createPublicKey(await readFile(path.join(system.sys.env.CERTS_DIR!, 'audit-checkpoint.pub')));
    for (const checkpoint of signed) {
      expect(checkpoint.keyId).toBe(ed25519KeyId(publicKey));
      expect(checkpointVerifies(publicKey, checkpoint)).toBe(true);
    }
    // Signed only when the head moved: the idle trail is not signed again.
    expect(signed.filter((c) => c.seq === head.seq)).toHaveLength(1);
    await system.http('audit').get('/audit/checkpoints').query({ limit: 0 }).expect(400);
    expect((await system.http('audit').get('/audit/checkpoints').query({ limit: 1 }).expect(200)).body).toHaveLength(1);
  });

  it('the untouched trail is valid against its checkpoint', async () => {
    expect(await verify()).toEqual({ valid: true, records: trail, checkpointSeq: head.seq });
    // Kept for the cases below, which each start from this state.
    await system.db.query('DROP TABLE IF EXISTS public.records_copy, public.checkpoints_copy');
    await system.db.query('CREATE TABLE public.records_copy AS SELECT * FROM audit.records');
    await system.db.query('CREATE TABLE public.checkpoints_copy AS SELECT * FROM audit.checkpoints');
  });

  it('the checkpoints are append-only too', async () => {
    for (const sql of ['UPDATE audit.checkpoints SET seq = seq + 1', 'DELETE FROM audit.checkpoints', 'TRUNCATE audit.checkpoints']) {
      await expect(system.db.query(sql)).rejects.toThrow('audit.checkpoints is append-only');
    }
  });

  it('a deleted tail is reported, although every remaining link still matches', async () => {
    const before = await checkpoints();
    const refusals = async () => (await readFile(system.sys.logFile('audit')!, 'utf8')).split('AUDIT_TRAIL_TAMPERED').length - 1;
    const refusedBefore = await refusals();
    await asSuperuserWithoutTriggers((client) => client.query(DELETE_TAIL).then(() => undefined));
    const result = await verify();
    expect(result).toEqual({ valid: false, records: trail - 2, reason: 'checkpoint_record_missing', checkpointSeq: head.seq });
    // Nothing was signed for the shortened trail, by verify or by the interval (which said why in the log).
    await eventually(refusals, (n) => n > refusedBefore);
    expect(await checkpoints()).toEqual(before);
    await restore();
  });

  it('a chain rewritten and re-hashed by the superuser is reported', async () => {
    const original = await records();
    await asSuperuserWithoutTriggers(async (client) => {
      let prevHash = original[0].prev_hash;
      for (const row of original) {
        const data = { ...row.data, rewritten: true };
        const hash = chainHash(prevHash, { ...toChainRecord(row), data });
        await client.query('UPDATE audit.records SET data = $2, hash = $3, prev_hash = $4 WHERE seq = $1', [row.seq, data, hash, prevHash]);
        prevHash = hash;
      }
    });
    // The rewrite is consistent in itself: only the checkpoint shows it.
    expect((await records()).every((r, i, all) => i === 0 || r.prev_hash === all[i - 1].hash)).toBe(true);
    expect(await verify()).toEqual({ valid: false, records: trail, reason: 'checkpoint_mismatch', checkpointSeq: head.seq });
    await restore();
  });

  it('deleting the checkpoints with the tail is noticed while audit runs', async () => {
    await asSuperuserWithoutTriggers(async (client) => {
      await client.query(DELETE_TAIL);
      await client.query('DELETE FROM audit.checkpoints');
    });
    expect(await verify()).toMatchObject({ valid: false, reason: 'checkpoint_missing', checkpointSeq: head.seq });
    await restore();
  });

  it('a checkpoint written without the key is reported', async () => {
    const [latest] = await checkpoints();
    // What audit's own database role could do: insert a row, but not sign it.
    await system.db.query(`INSERT INTO audit.checkpoints (seq, hash, signed_at, signature, key_id) VALUES ($1, $2, now(), $3, $4)`, [
      head.seq + 1,
      'f'.repeat(64),
      latest.signature,
      latest.keyId,
    ]);
    expect(await verify()).toMatchObject({ valid: false, reason: 'checkpoint_signature_invalid', checkpointSeq: head.seq + 1 });
    await restore();
  });
});
