import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

type KeyType = 'x25519' | 'ed25519';

/**
 * Reads one key of CERTS_DIR (written by `npm run certs`) and checks its type. A failure names the
 * file and what was expected, never the file's content: a key must not reach a log.
 */
function readKey(certsDir: string, file: string, type: KeyType, kind: 'private' | 'public'): KeyObject {
  const where = path.resolve(certsDir, file);
  let pem: string;
  try {
    pem = readFileSync(where, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new Error(`cannot read ${where} (${reason}): run npm run certs, or set CERTS_DIR`);
  }
  let key: KeyObject;
  try {
    key = kind === 'private' ? createPrivateKey({ key: pem, format: 'pem' }) : createPublicKey({ key: pem, format: 'pem' });
  } catch {
    throw new Error(`${where} is not a ${kind} key in PEM`);
  }
  if (key.asymmetricKeyType !== type) throw new Error(`${where} must be an ${type} ${kind} key, not ${key.asymmetricKeyType}`);
  return key;
}

export const readPrivateKeyFile = (certsDir: string, file: string, type: KeyType) => readKey(certsDir, file, type, 'private');
export const readPublicKeyFile = (certsDir: string, file: string, type: KeyType) => readKey(certsDir, file, type, 'public');

/** The key pairs of CERTS_DIR that are not TLS identities (written by scripts/lib/certs.mjs). */
export const KeyFiles = {
  /** X25519: auth seals each OTP code to the public half; only notifications holds the private half. */
  OtpSealPublic: 'otp-seal.pub',
  OtpSealPrivate: 'otp-seal.key',
  /** Ed25519: only audit holds it, and signs its trail's head with it. */
  AuditCheckpointPrivate: 'audit-checkpoint.key',
  AuditCheckpointPublic: 'audit-checkpoint.pub',
} as const;
