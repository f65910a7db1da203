// The key pairs of CERTS_DIR that are not TLS identities: `otp-seal` (X25519: auth seals each OTP
// code to the public half, only notifications reads the private half) and `audit-checkpoint`
// (Ed25519: only audit signs its trail's head with it). Pure node:crypto, no openssl. Idempotent:
// a pair that exists is kept (renewing one is deleting it first). Types in trust-keys.d.mts.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const TRUST_KEY_PAIRS = Object.freeze([
  { name: 'otp-seal', type: 'x25519' },
  { name: 'audit-checkpoint', type: 'ed25519' },
]);

/** Writes `<name>.key` (PKCS#8 PEM, 0600) and `<name>.pub` (SPKI PEM) for each missing pair; returns the names written. */
export async function ensureTrustKeys(dir) {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const written = [];
  for (const { name, type } of TRUST_KEY_PAIRS) {
    const keyFile = path.join(dir, `${name}.key`);
    const pubFile = path.join(dir, `${name}.pub`);
    if (existsSync(keyFile) && existsSync(pubFile)) continue;
    const { privateKey, publicKey } = generateKeyPairSync(type);
    await writeFile(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    await writeFile(pubFile, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644 });
    written.push(name);
  }
  return written;
}
