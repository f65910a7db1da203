import { Injectable } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import { KeyFiles, readPublicKeyFile, sealOtpCode, type OtpSealContext } from '@bank/common';
import { AuthConfig } from '../config/auth.config.js';

/**
 * Seals each fresh code to notifications' public key: the orchestrator, which carries it from here
 * to notifications, cannot read it. Read once at boot; a missing or wrong key stops the boot.
 */
@Injectable()
export class OtpSealService {
  private readonly notificationsKey: KeyObject;

  constructor(config: AuthConfig) {
    this.notificationsKey = readPublicKeyFile(config.CERTS_DIR, KeyFiles.OtpSealPublic, 'x25519');
  }

  seal(context: OtpSealContext, code: string): string {
    return sealOtpCode(this.notificationsKey, context, code);
  }
}
