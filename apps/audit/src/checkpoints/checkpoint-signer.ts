import { Injectable } from '@nestjs/common';
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { KeyFiles, readPrivateKeyFile } from '@bank/common';
import { AuditConfig } from '../config/audit.config.js';

/** What a checkpoint states: the trail's record `seq` has hash `hash`, as audit saw it at `signedAt`. */
export interface CheckpointClaim {
  seq: number;
  hash: string;
  /** ISO 8601 UTC with milliseconds. */
  signedAt: string;
}

export interface SignedCheckpoint extends CheckpointClaim {
  /** Ed25519 over `checkpointMessage`, base64url. */
  signature: string;
  /** RFC 7638 thumbprint (SHA-256, base64url) of the public key: which key to check it with. */
  keyId: string;
}

/** The signed bytes: versioned and line-separated, so no two claims share a message. */
export function checkpointMessage({ seq, hash, signedAt }: CheckpointClaim): Buffer {
  return Buffer.from(`bank-audit-checkpoint v1\n${seq}\n${hash}\n${signedAt}`, 'utf8');
}

export function ed25519KeyId(publicKey: KeyObject): string {
  const { x } = publicKey.export({ format: 'jwk' });
  // RFC 7638: the required members in lexicographic order, no whitespace.
  return createHash('sha256').update(`{"crv":"Ed25519","kty":"OKP","x":"${x}"}`).digest('base64url');
}

export function signCheckpoint(privateKey: KeyObject, claim: CheckpointClaim): SignedCheckpoint {
  return {
    ...claim,
    signature: sign(null, checkpointMessage(claim), privateKey).toString('base64url'),
    keyId: ed25519KeyId(createPublicKey(privateKey)),
  };
}

export function checkpointVerifies(publicKey: KeyObject, checkpoint: SignedCheckpoint): boolean {
  try {
    return verify(null, checkpointMessage(checkpoint), publicKey, Buffer.from(checkpoint.signature, 'base64url'));
  } catch {
    return false;
  }
}

/** audit's checkpoint key, read once at boot from CERTS_DIR; a missing or wrong key stops the boot. */
@Injectable()
export class CheckpointSigner {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  readonly keyId: string;

  constructor(config: AuditConfig) {
    this.privateKey = readPrivateKeyFile(config.CERTS_DIR, KeyFiles.AuditCheckpointPrivate, 'ed25519');
    this.publicKey = createPublicKey(this.privateKey);
    this.keyId = ed25519KeyId(this.publicKey);
  }

  sign(claim: CheckpointClaim): SignedCheckpoint {
    return signCheckpoint(this.privateKey, claim);
  }

  verifies(checkpoint: SignedCheckpoint): boolean {
    return checkpoint.keyId === this.keyId && checkpointVerifies(this.publicKey, checkpoint);
  }
}
