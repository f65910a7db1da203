import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureTrustKeys } from '../../scripts/lib/trust-keys.mjs';

let ready: Promise<string> | undefined;

/**
 * A CERTS_DIR with the key pairs apps read (otp-seal, audit-checkpoint): one per jest process,
 * made on first use and removed when the process exits.
 */
export function testCertsDir(): Promise<string> {
  ready ??= (async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bank-test-certs-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    await ensureTrustKeys(dir);
    return dir;
  })();
  return ready;
}
