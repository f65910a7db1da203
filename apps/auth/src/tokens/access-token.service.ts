import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { AuthConfig } from '../config/auth.config.js';
import { SigningKeysService } from './signing-keys.service.js';

export interface SignedAccessToken {
  accessToken: string;
  expiresIn: number;
}

/** Short-lived EdDSA JWTs that the orchestrator verifies locally with the published public key. */
@Injectable()
export class AccessTokenService {
  constructor(
    private readonly keys: SigningKeysService,
    private readonly config: AuthConfig,
  ) {}

  async sign(customerId: string): Promise<SignedAccessToken> {
    const { kid, privateKey } = this.keys.active();
    const issuedAt = Math.floor(Date.now() / 1000);
    const expiresIn = this.config.ACCESS_TOKEN_TTL_SECONDS;
    const accessToken = await new SignJWT({})
      .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid })
      .setSubject(customerId)
      .setIssuer(this.config.TOKEN_ISSUER)
      .setAudience(this.config.TOKEN_AUDIENCE)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + expiresIn)
      .setJti(randomUUID())
      .sign(privateKey);
    return { accessToken, expiresIn };
  }
}
