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
 * One message per send of a challenge: a retried command is recorded once, a resend (the next send,
 * with a new code) is a new message. Nothing derived from the code: a hash of six digits is undone
 * by trying all million of them, which would make the masked body pointless.
 */
export function otpDedupeKey(challengeId: string, send: number): string {
  return `otp:${challengeId}:${send}`;
}
