import { generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK } from 'jose';
import { checkpointVerifies, ed25519KeyId, signCheckpoint, type CheckpointClaim } from './checkpoint-signer.js';

const audit = generateKeyPairSync('ed25519');
const claim: CheckpointClaim = { seq: 42, hash: 'ab'.repeat(32), signedAt: '2026-12-01T10:00:00.123Z' };

describe('checkpoint signatures', () => {
  it('verify with the public key of the signing key', () => {
    const signed = signCheckpoint(audit.privateKey, claim);
    expect(signed).toMatchObject(claim);
    expect(signed.signature).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(checkpointVerifies(audit.publicKey, signed)).toBe(true);
  });

  it.each([
    ['seq', { seq: 41 }],
    ['hash', { hash: 'cd'.repeat(32) }],
    ['signedAt', { signedAt: '2026-12-01T10:00:00.124Z' }],
  ])('fail when the %s is changed', (_field, change) => {
    const signed = signCheckpoint(audit.privateKey, claim);
    expect(checkpointVerifies(audit.publicKey, { ...signed, ...change })).toBe(false);
  });

  it('fail with another key, a changed signature or garbage', () => {
    const signed = signCheckpoint(audit.privateKey, claim);
    expect(checkpointVerifies(generateKeyPairSync('ed25519').publicKey, signed)).toBe(false);
    const flipped = Buffer.from(signed.signature, 'base64url');
    flipped[0] ^= 1;
    expect(checkpointVerifies(audit.publicKey, { ...signed, signature: flipped.toString('base64url') })).toBe(false);
    expect(checkpointVerifies(audit.publicKey, { ...signed, signature: 'AA' })).toBe(false);
  });

  it('name the key by its RFC 7638 thumbprint', async () => {
    const expected = await calculateJwkThumbprint(await exportJWK(audit.publicKey), 'sha256');
    expect(ed25519KeyId(audit.publicKey)).toBe(expected);
    expect(signCheckpoint(audit.privateKey, claim).keyId).toBe(expected);
  });
});
