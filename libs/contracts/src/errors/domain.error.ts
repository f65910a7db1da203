import { ERROR_TITLES, type ErrorCode } from './error-codes.js';

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
