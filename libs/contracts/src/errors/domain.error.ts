import { ERROR_TITLES, isTransientCode, type ErrorCode } from './error-codes.js';

/** The one error type domain code throws. It knows nothing about HTTP or TCP. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message ?? ERROR_TITLES[code]);
    this.name = 'DomainError';
  }
}

/**
 * The business refused a request whose resource was created and then failed (a transfer that was
 * recorded, then refused): always 422, whatever the code's usual status (ACCOUNT_NOT_FOUND is 404
 * for a lookup but 422 as the reason a transfer failed).
 */
export class RefusalError extends DomainError {
  constructor(code: DomainError['code'], message?: string, details?: Record<string, unknown>) {
    super(code, message, details);
    this.name = 'RefusalError';
  }
}

/**
 * True when retrying the same idempotent command may succeed: a transient code, or anything that is
 * not a DomainError at all (a broken socket, a bug), which is no answer from the service.
 */
export function isTransient(error: unknown): boolean {
  return error instanceof DomainError ? isTransientCode(error.code) : true;
}
