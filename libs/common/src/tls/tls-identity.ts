import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkServerIdentity, type ConnectionOptions, type PeerCertificate, type TLSSocket, type TlsOptions } from 'node:tls';
import { isServiceIdentity, type ServiceIdentity } from '@bank/contracts';

/** One identity's TLS material: the CA that signs every identity, and its own certificate and key. */
export interface TlsIdentity {
  name: ServiceIdentity;
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

/** Reads `ca.crt`, `<name>.crt` and `<name>.key` from CERTS_DIR; a missing file fails with what to run. */
export function loadTlsIdentity(certsDir: string, name: ServiceIdentity): TlsIdentity {
  const dir = path.resolve(certsDir);
  const read = (file: string) => {
    try {
      return readFileSync(path.join(dir, file));
    } catch (error) {
      throw new Error(
        `cannot read ${path.join(dir, file)} (${(error as NodeJS.ErrnoException).code ?? String(error)}): set CERTS_DIR or run npm run certs`,
      );
    }
  };
  return { name, ca: read('ca.crt'), cert: read(`${name}.crt`), key: read(`${name}.key`) };
}

/** A TCP command port: TLS 1.3, and no handshake completes without a client certificate from the CA. */
export function tcpServerTls(identity: TlsIdentity): TlsOptions {
  return { ca: identity.ca, cert: identity.cert, key: identity.key, minVersion: 'TLSv1.3', requestCert: true, rejectUnauthorized: true };
}

/**
 * An internal HTTP port: TLS 1.3, a client certificate asked for but not required at the handshake,
 * so /health and /metrics answer any TLS client; business reads check the identity (CallerGuard).
 */
export function httpsServerTls(identity: TlsIdentity): TlsOptions {
  return { ca: identity.ca, cert: identity.cert, key: identity.key, minVersion: 'TLSv1.3', requestCert: true, rejectUnauthorized: false };
}

/**
 * A client of `target`: presents our certificate, and accepts only the server whose certificate
 * names `target` (under start:all every certificate is valid for 127.0.0.1, so the host name alone
 * would let one app answer in another's place).
 */
export function clientTls(identity: TlsIdentity, target: ServiceIdentity): ConnectionOptions {
  return {
    ca: identity.ca,
    cert: identity.cert,
    key: identity.key,
    minVersion: 'TLSv1.3',
    checkServerIdentity: (host: string, cert: PeerCertificate) =>
      checkServerIdentity(host, cert) ??
      (certificateName(cert) === target
        ? undefined
        : new Error(`expected ${target}'s certificate, got ${certificateName(cert) ?? 'none'}'s`)),
  };
}

function certificateName(cert: PeerCertificate | undefined): string | undefined {
  const cn = cert?.subject?.CN;
  return typeof cn === 'string' ? cn : undefined;
}

/**
 * The verified identity of the peer on a TLS socket: the CN of a client certificate that chains to
 * our CA and names a known identity; undefined for no certificate, an untrusted one or a plain socket.
 */
export function peerIdentity(socket: unknown): ServiceIdentity | undefined {
  const tls = socket as Partial<TLSSocket> | undefined;
  if (!tls || tls.authorized !== true || typeof tls.getPeerCertificate !== 'function') return undefined;
  const name = certificateName(tls.getPeerCertificate());
  return isServiceIdentity(name) ? name : undefined;
}
