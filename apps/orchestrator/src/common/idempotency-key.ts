import { createHash } from 'node:crypto';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '@bank/contracts';
import { canonicalJson } from '@bank/common';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** The `Idempotency-Key` header, required; printable ASCII, at most 255 characters. */
export const IdempotencyKey = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const value = context.switchToHttp().getRequest<FastifyRequest>().headers['idempotency-key'];
  if (typeof value !== 'string' || value.length === 0) {
    throw new DomainError('VALIDATION_FAILED', 'The Idempotency-Key header is required');
  }
  // A structured-header string ("...") is accepted as the draft writes it, and bare tokens as most clients send them.
  const key = /^".*"$/.test(value) ? value.slice(1, -1) : value;
  if (!KEY_PATTERN.test(key))
    throw new DomainError('VALIDATION_FAILED', 'The Idempotency-Key header must be 1-255 printable ASCII characters');
  return key;
});

/** Fingerprint of what a key was first used for: same key + different request = IDEMPOTENCY_KEY_REUSED. */
export function requestFingerprint(route: string, body: object): string {
  return createHash('sha256').update(route).update('\n').update(canonicalJson(body)).digest('hex');
}
