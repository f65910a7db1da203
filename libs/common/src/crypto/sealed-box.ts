import {
  createCipheriv,
  createDecipheriv,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';

const VERSION = 1;
const INFO = Buffer.from('bank sealed-box v1 x25519-hkdf-sha256-aes-256-gcm');
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + KEY_BYTES + IV_BYTES;

/** The sealed value did not open: wrong key, other associated data, or bytes changed on the way. */
export class SealOpenError extends Error {
  constructor() {
    super('sealed value does not open with this key and associated data');
    this.name = 'SealOpenError';
  }
}

function rawX25519(publicKey: KeyObject): Buffer {
  return Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
}

/**
 * The key both sides derive: ECDH between one side's private key and the other's public key,
 * through HKDF-SHA256 salted with both public keys, so the key is bound to this exact pair.
 */
function derive(privateKey: KeyObject, publicKey: KeyObject, ephemeralRaw: Buffer, recipientRaw: Buffer): Buffer {
  const shared = diffieHellman({ privateKey, publicKey });
  return Buffer.from(hkdfSync('sha256', shared, Buffer.concat([ephemeralRaw, recipientRaw]), INFO, KEY_BYTES));
}

/**
 * Encrypts `plaintext` so that only the holder of the recipient's X25519 private key can read it
 * (an ephemeral key per message, as in ECIES/HPKE base mode), bound to `associatedData`: opened
 * with any other associated data it fails. Output (base64url): version, ephemeral public key, IV,
 * ciphertext, GCM tag.
 */
export function seal(recipient: KeyObject, plaintext: string, associatedData: string): string {
  const ephemeral = generateKeyPairSync('x25519');
  const ephemeralRaw = rawX25519(ephemeral.publicKey);
  const key = derive(ephemeral.privateKey, recipient, ephemeralRaw, rawX25519(recipient));
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.of(VERSION), ephemeralRaw, iv, ciphertext, cipher.getAuthTag()]).toString('base64url');
}

/** The plaintext of a value made by `seal`; throws SealOpenError for anything that does not open. */
export function open(recipientPrivate: KeyObject, sealed: string, associatedData: string): string {
  const bytes = Buffer.from(sealed, 'base64url');
  if (bytes.length < HEADER_BYTES + TAG_BYTES || bytes[0] !== VERSION || bytes.toString('base64url') !== sealed) throw new SealOpenError();
  const ephemeralRaw = bytes.subarray(1, 1 + KEY_BYTES);
  const iv = bytes.subarray(1 + KEY_BYTES, HEADER_BYTES);
  const ciphertext = bytes.subarray(HEADER_BYTES, bytes.length - TAG_BYTES);
  const tag = bytes.subarray(bytes.length - TAG_BYTES);
  try {
    const ephemeral = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: ephemeralRaw.toString('base64url') }, format: 'jwk' });
    const key = derive(recipientPrivate, ephemeral, ephemeralRaw, rawX25519(createPublicKey(recipientPrivate)));
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch {
    // A bad point, a wrong key, other associated data or a changed byte: all the same to the caller.
    throw new SealOpenError();
  }
}
