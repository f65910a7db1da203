import type { KeyObject } from 'node:crypto';
import { open, seal } from './sealed-box.js';

/** Which send of which challenge a sealed code belongs to: a sealed code replayed elsewhere does not open. */
export interface OtpSealContext {
  challengeId: string;
  send: number;
}

// Ids are compared case-insensitively across the system, so the bound text uses the lower-case form.
const associatedData = ({ challengeId, send }: OtpSealContext) => `bank otp ${challengeId.toLowerCase()} send ${send}`;

/** auth: the fresh code, readable only by notifications (the holder of otp-seal.key). */
export function sealOtpCode(notificationsKey: KeyObject, context: OtpSealContext, code: string): string {
  return seal(notificationsKey, code, associatedData(context));
}

/** notifications: the code, or SealOpenError when it was sealed for another key, challenge or send. */
export function openOtpCode(privateKey: KeyObject, context: OtpSealContext, sealedCode: string): string {
  return open(privateKey, sealedCode, associatedData(context));
}
