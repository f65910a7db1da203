import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK } from 'jose';
import { Sql } from '@bank/database';
import type { SigningKey } from '@bank/contracts';
import { AuthConfig, normalizePem } from '../config/auth.config.js';

export interface ActiveSigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKeyPem: string;
}

/** RFC 7638 thumbprint: the same key always gets the same kid, across restarts and instances. */
async function kidOf(publicKey: KeyObject): Promise<string> {
  return calculateJwkThumbprint(await exportJWK(publicKey));
}

/**
 * The Ed25519 key that signs access tokens. A configured AUTH_SIGNING_KEY wins (required in
 * production); otherwise the key auth generated on its first boot is read back from auth.signing_keys,
 * so a restart does not invalidate the tokens already handed out. The private key never leaves here.
 */
@Injectable()
export class SigningKeysService implements OnModuleInit {
  private readonly logger = new Logger(SigningKeysService.name);
  private key?: ActiveSigningKey;

  constructor(
    private readonly db: Sql,
    private readonly config: AuthConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    this.key = this.config.AUTH_SIGNING_KEY ? await this.fromConfig() : await this.fromDatabase();
  }

  active(): ActiveSigningKey {
    if (!this.key) throw new Error('Signing key not loaded yet');
    return this.key;
  }

  /** What verifiers need: public halves only. */
  publicKeys(): SigningKey[] {
    const { kid, publicKeyPem } = this.active();
    return [{ kid, alg: 'EdDSA', publicKeyPem }];
  }

  private async fromConfig(): Promise<ActiveSigningKey> {
    const privateKey = createPrivateKey({ key: normalizePem(this.config.AUTH_SIGNING_KEY), format: 'pem' });
    const publicKey = createPublicKey(privateKey);
    const kid = await kidOf(publicKey);
    this.logger.log({ msg: 'signing key loaded from AUTH_SIGNING_KEY', kid });
    return { kid, privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
  }

  private async fromDatabase(): Promise<ActiveSigningKey> {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const candidate = {
      kid: await kidOf(publicKey),
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
    // Insert-if-none, then read: of several instances booting at once, every one ends up with the
    // same key (the unique index on the active flag lets exactly one insert win).
    const inserted = await this.db.rows<{ kid: string }>(
      `INSERT INTO auth.signing_keys (kid, public_key_pem, private_key_pem) VALUES ($1, $2, $3)
       ON CONFLICT (active) WHERE active DO NOTHING RETURNING kid`,
      [candidate.kid, candidate.publicKeyPem, candidate.privateKeyPem],
    );
    const [row] = await this.db.rows<{ kid: string; public_key_pem: string; private_key_pem: string }>(
      `SELECT kid, public_key_pem, private_key_pem FROM auth.signing_keys WHERE active`,
    );
    if (!row) throw new Error('No active signing key in auth.signing_keys');
    this.logger.log({ msg: inserted.length > 0 ? 'signing key generated and stored' : 'signing key loaded from database', kid: row.kid });
    return { kid: row.kid, privateKey: createPrivateKey(row.private_key_pem), publicKeyPem: row.public_key_pem };
  }
}
