import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Sql } from '@bank/database';
import { AuditConfig } from '../config/audit.config.js';
import { GENESIS_HASH } from '../trail/audit-chain.js';
import { walkChain, type ChainPoint } from '../trail/chain-walk.js';
import { CheckpointSigner, type SignedCheckpoint } from './checkpoint-signer.js';
import { CHECKPOINT_COLUMNS, toCheckpoint, type CheckpointRow } from './checkpoint.row.js';

/** Why the trail is not what audit signed. `chain_broken`: a link or hash inside the trail is wrong. */
export type TrailProblem =
  | 'chain_broken'
  /** The checkpointed record is gone: the trail's tail was deleted. */
  | 'checkpoint_record_missing'
  /** The checkpointed record has another hash: the trail was rewritten (and maybe re-hashed). */
  | 'checkpoint_mismatch'
  /** The newest checkpoint under audit's key does not verify: written by someone without the key. */
  | 'checkpoint_signature_invalid'
  /** A checkpoint this process signed is no longer in the table: checkpoints were deleted. */
  | 'checkpoint_missing';

export interface AnchorCheck {
  problem?: TrailProblem;
  /** The checkpoint the trail was held to (the newest one, also when it is the problem). */
  checkpoint?: SignedCheckpoint;
}

/**
 * Anchors the trail: signs its head at a fixed interval and after every successful /audit/verify,
 * and tells whether the trail still holds the newest checkpoint. The hash chain alone shows edits
 * inside the trail; a signed (seq, hash) also shows a deleted tail and a chain rewritten and
 * re-hashed by someone who can bypass the append-only triggers, since they cannot sign without the
 * key. A checkpoint is only signed after the records it covers were checked against the previous
 * one, so a tampered trail is never anchored.
 */
@Injectable()
export class CheckpointService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(CheckpointService.name);
  /** The newest checkpoint this process signed: the table losing it is noticed while audit runs. */
  private lastSigned?: SignedCheckpoint;
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly db: Sql,
    private readonly signer: CheckpointSigner,
    private readonly config: AuditConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.scheduled(), this.config.AUDIT_CHECKPOINT_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** The newest checkpoint under audit's key, and whether it can be trusted at all. */
  async anchor(): Promise<AnchorCheck> {
    const [row] = await this.db.rows<CheckpointRow>(
      `SELECT ${CHECKPOINT_COLUMNS} FROM audit.checkpoints WHERE key_id = $1 ORDER BY seq DESC LIMIT 1`,
      [this.signer.keyId],
    );
    const stored = row ? toCheckpoint(row) : undefined;
    if (stored && !this.signer.verifies(stored)) return { problem: 'checkpoint_signature_invalid', checkpoint: stored };
    if (this.lastSigned && (!stored || stored.seq < this.lastSigned.seq))
      return { problem: 'checkpoint_missing', checkpoint: this.lastSigned };
    return stored ? { checkpoint: stored } : {};
  }

  /** Whether the trail still holds the checkpointed record, with the checkpointed hash. */
  async holds(checkpoint: ChainPoint): Promise<TrailProblem | undefined> {
    const [record] = await this.db.rows<{ hash: string }>(`SELECT hash FROM audit.records WHERE seq = $1`, [checkpoint.seq]);
    if (!record) return 'checkpoint_record_missing';
    return record.hash === checkpoint.hash ? undefined : 'checkpoint_mismatch';
  }

  /** Signs `head` and stores it; the caller has checked the trail up to it. */
  async sign(head: ChainPoint): Promise<SignedCheckpoint> {
    const checkpoint = this.signer.sign({ seq: head.seq, hash: head.hash, signedAt: new Date().toISOString() });
    // A replica or a concurrent verify may have signed this head already: one checkpoint per key and seq.
    await this.db.rows(
      `INSERT INTO audit.checkpoints (seq, hash, signed_at, signature, key_id) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (key_id, seq) DO NOTHING`,
      [checkpoint.seq, checkpoint.hash, checkpoint.signedAt, checkpoint.signature, checkpoint.keyId],
    );
    if (!this.lastSigned || checkpoint.seq > this.lastSigned.seq) this.lastSigned = checkpoint;
    this.logger.log({ msg: 'audit checkpoint signed', seq: checkpoint.seq, keyId: checkpoint.keyId });
    return checkpoint;
  }

  /** Checks the records appended since the newest checkpoint, then signs the new head (if it moved). */
  async checkpoint(): Promise<AnchorCheck> {
    const anchor = await this.anchor();
    if (anchor.problem) return anchor;
    let from: ChainPoint = { seq: 0, hash: GENESIS_HASH };
    if (anchor.checkpoint) {
      const problem = await this.holds(anchor.checkpoint);
      if (problem) return { problem, checkpoint: anchor.checkpoint };
      from = anchor.checkpoint;
    }
    const walked = await walkChain(this.db, from);
    if (walked.brokenAt !== undefined) return { problem: 'chain_broken', checkpoint: anchor.checkpoint };
    if (walked.head.seq === from.seq) return anchor;
    return { checkpoint: await this.sign(walked.head) };
  }

  private async scheduled(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const { problem, checkpoint } = await this.checkpoint();
      if (problem) {
        this.logger.error({
          msg: 'audit trail does not match its checkpoint; not signing',
          errorCode: 'AUDIT_TRAIL_TAMPERED',
          reason: problem,
          seq: checkpoint?.seq,
        });
      }
    } catch (error) {
      // The database may be away for a while; the next interval tries again.
      this.logger.warn({
        msg: 'audit checkpoint failed',
        errorCode: 'SERVICE_UNAVAILABLE',
        reason: error instanceof Error ? error.message : String(error),
      });
    } finally {
      this.running = false;
    }
  }
}
