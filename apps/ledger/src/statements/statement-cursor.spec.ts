import { DomainError } from '@bank/contracts';
import { decodeStatementCursor, encodeStatementCursor } from './statement-cursor.js';

describe('statement cursor', () => {
  it('round-trips a seq through an opaque base64url string', () => {
    for (const seq of ['1', '42', '900719925474099123']) {
      const cursor = encodeStatementCursor(seq);
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(cursor).not.toContain(seq);
      expect(decodeStatementCursor(cursor)).toBe(seq);
    }
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'seq:12'],
    ['plain number', '12'],
    ['base64 of something else', Buffer.from('hello').toString('base64url')],
    ['zero seq', Buffer.from('seq:0').toString('base64url')],
    ['negative seq', Buffer.from('seq:-4').toString('base64url')],
    ['too long', 'A'.repeat(65)],
  ])('refuses an invalid cursor (%s) with VALIDATION_FAILED', (_name, cursor) => {
    let caught: unknown;
    try {
      decodeStatementCursor(cursor);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DomainError);
    expect(caught).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
