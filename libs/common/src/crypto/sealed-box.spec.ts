import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readPrivateKeyFile, readPublicKeyFile } from './key-files.js';
import { openOtpCode, sealOtpCode } from './otp-seal.js';
import { open, seal, SealOpenError } from './sealed-box.js';

const notifications = generateKeyPairSync('x25519');
const someoneElse = generateKeyPairSync('x25519');
const context = { challengeId: '6f1c1f0e-4f6b-4a51-9d59-0d1f5b0e7a11', send: 1 };

function flip(sealed: string, index: number): string {
  const bytes = Buffer.from(sealed, 'base64url');
  bytes[index] ^= 0x01;
  return bytes.toString('base64url');
}

describe('sealed box (X25519 + HKDF-SHA256 + AES-256-GCM)', () => {
  it('opens with the recipient key and the same associated data', () => {
    const sealed = seal(notifications.publicKey, '042917', 'ad');
    expect(open(notifications.privateKey, sealed, 'ad')).toBe('042917');
  });

  it('is opaque and fresh: no plaintext inside, a new ephemeral key and IV each time', () => {
    const a = seal(notifications.publicKey, '042917', 'ad');
    const b = seal(notifications.publicKey, '042917', 'ad');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(a, 'base64url').toString('latin1')).not.toContain('042917');
  });

  it('refuses other associated data', () => {
    const sealed = seal(notifications.publicKey, '042917', 'ad');
    expect(() => open(notifications.privateKey, sealed, 'ad2')).toThrow(SealOpenError);
  });

  it('refuses another private key', () => {
    const sealed = seal(notifications.publicKey, '042917', 'ad');
    expect(() => open(someoneElse.privateKey, sealed, 'ad')).toThrow(SealOpenError);
  });

  it('refuses any changed byte: version, ephemeral key, IV, ciphertext, tag', () => {
    const sealed = seal(notifications.publicKey, '042917', 'ad');
    const length = Buffer.from(sealed, 'base64url').length;
    for (const index of [0, 1, 32, 33, 44, 45, length - 17, length - 1]) {
      expect(() => open(notifications.privateKey, flip(sealed, index), 'ad')).toThrow(SealOpenError);
    }
  });

  it('refuses truncated, padded and non-base64url input', () => {
    const sealed = seal(notifications.publicKey, '042917', 'ad');
    for (const bad of [sealed.slice(0, -4), `${sealed}AA`, `${sealed}=`, '', 'not base64!', 'AQ']) {
      expect(() => open(notifications.privateKey, bad, 'ad')).toThrow(SealOpenError);
    }
  });
});

describe('OTP seal', () => {
  it('binds the code to its challenge and send', () => {
    const sealed = sealOtpCode(notifications.publicKey, context, '000123');
    expect(openOtpCode(notifications.privateKey, context, sealed)).toBe('000123');
    expect(openOtpCode(notifications.privateKey, { ...context, challengeId: context.challengeId.toUpperCase() }, sealed)).toBe('000123');
    expect(() => openOtpCode(notifications.privateKey, { ...context, send: 2 }, sealed)).toThrow(SealOpenError);
    expect(() =>
      openOtpCode(notifications.privateKey, { ...context, challengeId: '6f1c1f0e-4f6b-4a51-9d59-0d1f5b0e7a12' }, sealed),
    ).toThrow(SealOpenError);
  });
});

describe('key files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'key-files-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (file: string, text: string) => writeFileSync(path.join(dir, file), text);

  it('reads a key of the expected type', () => {
    write('seal.key', notifications.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    write('seal.pub', notifications.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    expect(readPrivateKeyFile(dir, 'seal.key', 'x25519').asymmetricKeyType).toBe('x25519');
    expect(readPublicKeyFile(dir, 'seal.pub', 'x25519').asymmetricKeyType).toBe('x25519');
  });

  it('names the file and never shows its content', () => {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    write('wrong.key', pem);
    write('garbage.key', 'SECRET-NOT-A-KEY');
    expect(() => readPrivateKeyFile(dir, 'wrong.key', 'x25519')).toThrow(/wrong\.key must be an x25519 private key, not ed25519/);
    expect(() => readPrivateKeyFile(dir, 'missing.key', 'x25519')).toThrow(/missing\.key \(ENOENT\): run npm run certs/);
    let message = '';
    try {
      readPrivateKeyFile(dir, 'garbage.key', 'x25519');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('garbage.key is not a private key');
    expect(message).not.toContain('SECRET');
  });
});
