import { createHash } from 'node:crypto';

const MASK = '******';

/**
 * The SMS text. It names the code and its lifetime; with the dev outbox off the stored copy has the
 * code masked, since the table is then nobody's way to read a code.
 */
export function otpMessageBody(code: string, expiresAt: Date, now: Date, revealCode: boolean): string {
  const minutes = Math.max(1, Math.ceil((expiresAt.getTime() - now.getTime()) / 60_000));
  return `Your bank login code is ${revealCode ? code : MASK}. It expires in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}.`;
}

/**
 * One message per challenge and code: a retried command is recorded once, a resend (same challenge,
 * new code) is a new message. Hashed so the key does not show the code in clear.
 */
export function otpDedupeKey(challengeId: string, code: string): string {
  return `otp:${challengeId}:${createHash('sha256').update(`${challengeId}:${code}`).digest('hex')}`;
}
