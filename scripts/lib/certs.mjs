// The system's key material: a development CA, one TLS identity per app plus `operator` (people,
// tests, the bench), and two key pairs that are not TLS identities (the OTP seal, the audit
// checkpoint signature). `npm run certs`, start:all, the test harness and compose's one-shot all
// call writeCerts(). Pure node:crypto, no openssl CLI (the container image has none): the few
// X.509 structures needed are encoded below in DER, by hand, as RFC 5280 spells them.
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Every TLS identity; libs/contracts SERVICE_IDENTITIES is the same list (test/static checks). */
export const IDENTITIES = Object.freeze(['orchestrator', 'accounts', 'ledger', 'auth', 'notifications', 'audit', 'analytics', 'operator']);

/** Key pairs that are not TLS identities: `<name>.key` (PKCS#8) and `<name>.pub` (SPKI). */
export const KEY_PAIRS = Object.freeze({ 'otp-seal': 'x25519', 'audit-checkpoint': 'ed25519' });

const DAY_MS = 86_400_000;
const CA_DAYS = 3_650;
const LEAF_DAYS = 397;
/** A certificate this close to its end is renewed by a plain `npm run certs` (and so by start:all). */
const RENEW_WITHIN_DAYS = 30;

// ---- DER, only what certificates need --------------------------------------------------------
function length(n) {
  if (n < 0x80) return Buffer.from([n]);
  const bytes = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag, ...content) => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
};
const seq = (...items) => tlv(0x30, ...items);
const set = (...items) => tlv(0x31, ...items);
const explicit = (n, ...items) => tlv(0xa0 + n, ...items);
const octets = (buffer) => tlv(0x04, buffer);
const bits = (buffer) => tlv(0x03, Buffer.from([0]), buffer);
const bool = (value) => tlv(0x01, Buffer.from([value ? 0xff : 0]));
const utf8 = (text) => tlv(0x0c, Buffer.from(text, 'utf8'));
/** A non-negative big-endian integer as a DER INTEGER (exported for test/static/certs.spec.ts). */
export function derInteger(buffer) {
  // DER: the shortest form (a leading zero byte before a byte under 0x80 is refused as padding), and
  // positive (a leading 1 bit would read as negative).
  let start = 0;
  while (start < buffer.length - 1 && buffer[start] === 0 && buffer[start + 1] < 0x80) start += 1;
  const minimal = buffer.subarray(start);
  return tlv(0x02, minimal[0] & 0x80 ? Buffer.concat([Buffer.from([0]), minimal]) : minimal);
}
function oid(dotted) {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [40 * a + b];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let v = arc >> 7; v > 0; v >>= 7) chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}
function time(date) {
  // UTCTime through 2049, GeneralizedTime after (RFC 5280 4.1.2.5).
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${iso}Z`));
}

const OID = {
  commonName: '2.5.4.3',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
};
const name = (cn) => seq(set(seq(oid(OID.commonName), utf8(cn))));
const extension = (id, critical, value) => seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));
const spkiDer = (publicKey) => publicKey.export({ type: 'spki', format: 'der' });
/** RFC 5280 4.2.1.2 method 1 would hash only the key bits; a hash of the whole SPKI is as unique. */
const keyId = (publicKey) => createHash('sha1').update(spkiDer(publicKey)).digest();

function certificate({ subject, issuer, publicKey, signingKey, issuerPublicKey, days, ca, altNames = [] }) {
  const notBefore = new Date(Date.now() - 60_000); // a little slack for clocks a bit behind
  const notAfter = new Date(notBefore.getTime() + days * DAY_MS);
  // keyUsage bits, first bit first: digitalSignature (0x80) for leaves, keyCertSign|cRLSign (0x06) for the CA.
  const extensions = [
    extension(OID.basicConstraints, true, ca ? seq(bool(true)) : seq()),
    extension(OID.keyUsage, true, ca ? Buffer.from([0x03, 0x02, 0x01, 0x06]) : Buffer.from([0x03, 0x02, 0x07, 0x80])),
    extension(OID.subjectKeyId, false, octets(keyId(publicKey))),
    extension(OID.authorityKeyId, false, seq(tlv(0x80, keyId(issuerPublicKey)))),
  ];
  if (!ca) {
    extensions.push(extension(OID.extKeyUsage, false, seq(oid(OID.serverAuth), oid(OID.clientAuth))));
    const sans = altNames.map((n) =>
      /^\d+\.\d+\.\d+\.\d+$/.test(n) ? tlv(0x87, Buffer.from(n.split('.').map(Number))) : tlv(0x82, Buffer.from(n, 'ascii')),
    );
    extensions.push(extension(OID.subjectAltName, false, seq(...sans)));
  }
  const algorithm = seq(oid(OID.ecdsaWithSha256));
  const tbs = seq(
    explicit(0, derInteger(Buffer.from([2]))), // v3
    derInteger(randomBytes(16)),
    algorithm,
    name(issuer),
    seq(time(notBefore), time(notAfter)),
    name(subject),
    spkiDer(publicKey),
    explicit(3, seq(...extensions)),
  );
  const signature = sign('sha256', tbs, signingKey); // ECDSA, DER-encoded (r, s)
  const der = seq(tbs, algorithm, bits(signature));
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
}

// ---- files -------------------------------------------------------------------------------------
const ecKeyPair = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pkcs8 = (privateKey) => privateKey.export({ type: 'pkcs8', format: 'pem' });

function writeKey(file, pem) {
  writeFileSync(file, pem, { mode: 0o600 });
  chmodSync(file, 0o600); // an existing file keeps its mode on write
}

function usable(certFile, caCert) {
  if (!existsSync(certFile)) return false;
  try {
    const cert = new X509Certificate(readFileSync(certFile));
    if (new Date(cert.validTo).getTime() - Date.now() < RENEW_WITHIN_DAYS * DAY_MS) return false;
    return caCert ? cert.checkIssued(caCert) && cert.verify(caCert.publicKey) : true;
  } catch {
    return false;
  }
}

/**
 * Writes into `dir` whatever is missing: `ca.crt` + `ca.key`, `<identity>.crt` + `<identity>.key`
 * for each identity (CN and SAN DNS:<identity>, SAN DNS:localhost and IP:127.0.0.1), and the
 * KEY_PAIRS. Keeps what exists and is valid (a certificate is renewed within 30 days of its end or
 * when the CA changed); `force` renews everything. Returns the names of the files it wrote.
 */
export function writeCerts(dir, { force = false } = {}) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = (f) => path.join(dir, f);
  const written = [];
  let caKey;
  let caCert;
  if (!force && usable(file('ca.crt')) && existsSync(file('ca.key'))) {
    caKey = createPrivateKey(readFileSync(file('ca.key')));
    caCert = new X509Certificate(readFileSync(file('ca.crt')));
  } else {
    const pair = ecKeyPair();
    caKey = pair.privateKey;
    const pem = certificate({
      subject: 'bank development CA',
      issuer: 'bank development CA',
      publicKey: pair.publicKey,
      issuerPublicKey: pair.publicKey,
      signingKey: caKey,
      days: CA_DAYS,
      ca: true,
    });
    writeKey(file('ca.key'), pkcs8(caKey));
    writeFileSync(file('ca.crt'), pem);
    caCert = new X509Certificate(pem);
    written.push('ca.crt', 'ca.key');
  }
  for (const identity of IDENTITIES) {
    if (!force && usable(file(`${identity}.crt`), caCert) && existsSync(file(`${identity}.key`))) continue;
    const pair = ecKeyPair();
    writeKey(file(`${identity}.key`), pkcs8(pair.privateKey));
    writeFileSync(
      file(`${identity}.crt`),
      certificate({
        subject: identity,
        issuer: 'bank development CA',
        publicKey: pair.publicKey,
        issuerPublicKey: caCert.publicKey,
        signingKey: caKey,
        days: LEAF_DAYS,
        ca: false,
        altNames: [identity, 'localhost', '127.0.0.1'],
      }),
    );
    written.push(`${identity}.crt`, `${identity}.key`);
  }
  for (const [pairName, type] of Object.entries(KEY_PAIRS)) {
    if (!force && existsSync(file(`${pairName}.key`)) && existsSync(file(`${pairName}.pub`))) continue;
    const pair = generateKeyPairSync(type);
    writeKey(file(`${pairName}.key`), pkcs8(pair.privateKey));
    writeFileSync(file(`${pairName}.pub`), pair.publicKey.export({ type: 'spki', format: 'pem' }));
    written.push(`${pairName}.key`, `${pairName}.pub`);
  }
  return written;
}

/** The files one app's container needs (compose gives each app a volume with only these). */
export function filesOf(identity) {
  const own = ['ca.crt', `${identity}.crt`, `${identity}.key`];
  if (identity === 'notifications') own.push('otp-seal.key');
  if (identity === 'auth') own.push('otp-seal.pub');
  if (identity === 'audit') own.push('audit-checkpoint.key', 'audit-checkpoint.pub');
  return own;
}
