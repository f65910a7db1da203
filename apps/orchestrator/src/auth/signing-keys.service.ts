import { Inject, Injectable, Logger } from '@nestjs/common';
import { importSPKI, jwtVerify, type CryptoKey, type JWTPayload } from 'jose';
import { AuthPatterns, DomainError, type GetSigningKeysReply } from '@bank/contracts';
import { RpcClient } from '@bank/common';
import { AUTH_RPC } from '../orchestrator.tokens.js';
import { VerifiedTokenCache } from './verified-token.cache.js';

export interface AccessClaims extends JWTPayload {
  sub: string;
}

const REFRESH_COOLDOWN_MS = 5_000;

/**
 * Verifies access tokens locally with auth's public keys (the private key never leaves auth).
 * Keys are fetched once and again only when a token names an unknown key id (key rotation, or
 * auth generated a new dev key), at most every few seconds.
 */
@Injectable()
export class AccessTokenVerifier {
  private readonly logger = new Logger(AccessTokenVerifier.name);
  private keys = new Map<string, CryptoKey>();
  private issuer = '';
  private audience = '';
  private lastRefresh = 0;
  private refreshing: Promise<void> | undefined;
  private readonly verified = new VerifiedTokenCache<AccessClaims>();

  constructor(@Inject(AUTH_RPC) private readonly auth: RpcClient) {}

  async verify(token: string): Promise<AccessClaims> {
    const cached = this.verified.get(token);
    if (cached) return cached;
    const kid = this.kidOf(token);
    if (!this.keys.has(kid)) await this.refresh();
    const key = this.keys.get(kid);
    if (!key) throw new DomainError('UNAUTHORIZED', 'Unknown signing key');
    try {
      const { payload } = await jwtVerify(token, key, { issuer: this.issuer, audience: this.audience, algorithms: ['EdDSA'] });
      if (typeof payload.sub !== 'string') throw new Error('no subject');
      if (typeof payload.exp === 'number') this.verified.set(token, payload as AccessClaims, payload.exp * 1000);
      return payload as AccessClaims;
    } catch {
      throw new DomainError('UNAUTHORIZED', 'Invalid or expired access token');
    }
  }

  private kidOf(token: string): string {
    const [header] = token.split('.');
    try {
      const parsed = JSON.parse(Buffer.from(header ?? '', 'base64url').toString('utf8')) as { kid?: unknown; alg?: unknown };
      if (typeof parsed.kid === 'string' && parsed.alg === 'EdDSA') return parsed.kid;
    } catch {
      // falls through to the refusal below
    }
    throw new DomainError('UNAUTHORIZED', 'Malformed access token');
  }

  private async refresh(): Promise<void> {
    if (this.refreshing) return this.refreshing;
    if (Date.now() - this.lastRefresh < REFRESH_COOLDOWN_MS && this.keys.size > 0) return;
    this.refreshing = (async () => {
      try {
        const reply = await this.auth.send<GetSigningKeysReply>(AuthPatterns.GetSigningKeys, {});
        const keys = new Map<string, CryptoKey>();
        for (const k of reply.keys) keys.set(k.kid, await importSPKI(k.publicKeyPem, 'EdDSA'));
        this.keys = keys;
        // A key that is gone no longer vouches for the tokens it signed.
        this.verified.clear();
        this.issuer = reply.issuer;
        this.audience = reply.audience;
        this.lastRefresh = Date.now();
        this.logger.log({ msg: 'signing keys loaded', kids: [...keys.keys()] });
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }
}
