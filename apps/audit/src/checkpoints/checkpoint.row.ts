import type { SignedCheckpoint } from './checkpoint-signer.js';

/** Columns as selected by `CHECKPOINT_COLUMNS`; bigint arrives as string from pg. */
export interface CheckpointRow {
  seq: string;
  hash: string;
  signed_at: Date;
  signature: string;
  key_id: string;
}

export const CHECKPOINT_COLUMNS = 'seq, hash, signed_at, signature, key_id';

/** Also the view of GET /audit/checkpoints. */
export function toCheckpoint(row: CheckpointRow): SignedCheckpoint {
  return { seq: Number(row.seq), hash: row.hash, signedAt: row.signed_at.toISOString(), signature: row.signature, keyId: row.key_id };
}
