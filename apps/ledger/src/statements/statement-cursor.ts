import { DomainError } from '@bank/contracts';

/**
 * The statement's page cursor: the seq of the last entry served, base64url-encoded so that clients
 * treat it as opaque and the encoding can change without breaking them.
 */
export function encodeStatementCursor(seq: string): string {
  return Buffer.from(`seq:${seq}`, 'utf8').toString('base64url');
}

/** The seq to continue below; anything that is not a cursor this service made is VALIDATION_FAILED. */
export function decodeStatementCursor(cursor: string): string {
  // Buffer's decoder skips characters it does not know, so check the alphabet first.
  const match = /^[A-Za-z0-9_-]{1,64}$/.test(cursor)
    ? /^seq:([1-9]\d{0,17})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'))
    : null;
  if (!match)
    throw new DomainError('VALIDATION_FAILED', 'cursor is not a valid statement cursor', {
      errors: [{ field: 'cursor', problems: ['invalid cursor'] }],
    });
  return match[1];
}
