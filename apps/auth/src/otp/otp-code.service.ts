import { Injectable } from '@nestjs/common';
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { AuthConfig } from '../config/auth.config.js';

/** Makes codes and their hashes. Only hashes reach the database; codes are never logged. */
@Injectable()
export class OtpCodeService {
  constructor(private readonly config: AuthConfig) {}

  /** Six digits from the CSPRNG, leading zeros kept: every code of 000000..999999 equally likely. */
  generate(): string {
    return randomInt(0, 1_000_000).toString().padStart(6, '0');
  }

  /** Bound to the challenge: the same code on another challenge hashes differently. */
  hash(challengeId: string, code: string): Buffer {
    return createHmac('sha256', this.config.OTP_PEPPER).update(`${challengeId}:${code}`).digest();
  }

  /** Constant time in the code, so response times tell nothing about how close a guess was. */
  matches(challengeId: string, code: string, storedHash: Buffer): boolean {
    const candidate = this.hash(challengeId, code);
    return candidate.length === storedHash.length && timingSafeEqual(candidate, storedHash);
  }
}
