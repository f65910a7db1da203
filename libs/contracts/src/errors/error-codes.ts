/**
 * Every stable error code of the system, with the HTTP status it maps to at the public edge.
 * Domain code throws DomainError(code); the edge and the RPC layer translate, nobody else.
 */
export const ErrorCodes = {
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  OTP_INVALID: 401,
  OTP_EXPIRED: 401,
  FORBIDDEN: 403,
  /** The caller's TLS identity may not send this command or make this read (see PATTERN_CALLERS). */
  CALLER_NOT_ALLOWED: 403,
  /** A development convenience (the page's "try it" and "break it") asked of a system under production rules. */
  DEVELOPMENT_ONLY: 403,
  NOT_FOUND: 404,
  ACCOUNT_NOT_FOUND: 404,
  TRANSFER_NOT_FOUND: 404,
  CHALLENGE_NOT_FOUND: 404,
  /** A subscriber has no inbox row for the event: not delivered or not applied yet, or never. */
  EVENT_NOT_HANDLED: 404,
  METHOD_NOT_ALLOWED: 405,
  IDEMPOTENCY_IN_PROGRESS: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INSUFFICIENT_FUNDS: 422,
  CURRENCY_MISMATCH: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  /** A command reached a resource in a state that forbids it (e.g. capturing a released hold). */
  INVALID_STATE: 422,
  /** The ledger refuses to book for a transfer or deposit already voided by a compensation. */
  POSTING_VOIDED: 422,
  /** notifications cannot open a sealed OTP code (other key, other challenge or send, changed bytes). */
  OTP_SEAL_INVALID: 422,
  /** A deposit or transfer would push a balance past the cap (2^53-1 minor units: JSON numbers stay exact). */
  BALANCE_LIMIT_EXCEEDED: 422,
  /** The customer already has as many accounts as one customer may open (ACCOUNTS_MAX_PER_CUSTOMER). */
  ACCOUNT_LIMIT_REACHED: 422,
  /** A refusal injected on purpose (development only: "make the ledger refuse the next N postings"). */
  INJECTED_REFUSAL: 422,
  OTP_LOCKED: 429,
  OTP_RATE_LIMITED: 429,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
  DEPENDENCY_TIMEOUT: 504,
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export const ERROR_TITLES: Record<ErrorCode, string> = {
  VALIDATION_FAILED: 'Validation failed',
  UNAUTHORIZED: 'Unauthorized',
  OTP_INVALID: 'Invalid code',
  OTP_EXPIRED: 'Code expired',
  FORBIDDEN: 'Forbidden',
  CALLER_NOT_ALLOWED: 'Caller not allowed',
  DEVELOPMENT_ONLY: 'Available in development only',
  NOT_FOUND: 'Not found',
  ACCOUNT_NOT_FOUND: 'Account not found',
  TRANSFER_NOT_FOUND: 'Transfer not found',
  CHALLENGE_NOT_FOUND: 'Challenge not found',
  EVENT_NOT_HANDLED: 'Event not handled',
  METHOD_NOT_ALLOWED: 'Method not allowed',
  IDEMPOTENCY_IN_PROGRESS: 'Request with this Idempotency-Key is still in progress',
  PAYLOAD_TOO_LARGE: 'Payload too large',
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported media type',
  INSUFFICIENT_FUNDS: 'Insufficient funds',
  CURRENCY_MISMATCH: 'Currency mismatch',
  IDEMPOTENCY_KEY_REUSED: 'Idempotency-Key reused with a different request',
  INVALID_STATE: 'Invalid state',
  POSTING_VOIDED: 'Posting voided',
  OTP_SEAL_INVALID: 'Sealed code does not open',
  BALANCE_LIMIT_EXCEEDED: 'Balance limit exceeded',
  ACCOUNT_LIMIT_REACHED: 'Account limit reached',
  INJECTED_REFUSAL: 'Refused on purpose (development fault)',
  OTP_LOCKED: 'Too many wrong codes',
  OTP_RATE_LIMITED: 'Too many code requests',
  INTERNAL: 'Internal error',
  SERVICE_UNAVAILABLE: 'Service unavailable',
  DEPENDENCY_TIMEOUT: 'Dependency timeout',
};

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ErrorCodes, value);
}

/*
 * The classes of codes, the one place they are defined. A code is in at most one of TRANSIENT and
 * BUSINESS; REQUEST_REFUSAL is a part of BUSINESS; codes in neither (NOT_FOUND, IDEMPOTENCY_*,
 * PAYLOAD_TOO_LARGE...) are answered at the HTTP edge only.
 */

/** Failures to get an answer (a crash, a timeout, a service away): retrying the same idempotent command may succeed. */
export const TRANSIENT_ERROR_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['INTERNAL', 'SERVICE_UNAVAILABLE', 'DEPENDENCY_TIMEOUT']);

/** Codes that mean "the business said no": never retried, never compensated by retrying. */
export const BUSINESS_ERROR_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'VALIDATION_FAILED',
  'FORBIDDEN',
  'CALLER_NOT_ALLOWED',
  'ACCOUNT_NOT_FOUND',
  'TRANSFER_NOT_FOUND',
  'CHALLENGE_NOT_FOUND',
  'EVENT_NOT_HANDLED',
  'INSUFFICIENT_FUNDS',
  'CURRENCY_MISMATCH',
  'INVALID_STATE',
  'POSTING_VOIDED',
  'OTP_SEAL_INVALID',
  'BALANCE_LIMIT_EXCEEDED',
  'ACCOUNT_LIMIT_REACHED',
  'INJECTED_REFUSAL',
  'DEVELOPMENT_ONLY',
  'OTP_INVALID',
  'OTP_EXPIRED',
  'OTP_LOCKED',
  'OTP_RATE_LIMITED',
  'UNAUTHORIZED',
]);

/**
 * Refusals of the request itself (its accounts, its money, its input): a transfer failed with one
 * answers 422 with it, first and replayed. A transfer failed with any other code (a system's
 * refusal like POSTING_VOIDED, or a transient failure) was a technical failure to the client.
 */
export const REQUEST_REFUSAL_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'INSUFFICIENT_FUNDS',
  'CURRENCY_MISMATCH',
  'ACCOUNT_NOT_FOUND',
  'VALIDATION_FAILED',
  'BALANCE_LIMIT_EXCEEDED',
]);

/** True for a transient code (see TRANSIENT_ERROR_CODES). */
export function isTransientCode(code: string): boolean {
  return TRANSIENT_ERROR_CODES.has(code as ErrorCode);
}

/** What travels back over TCP when a handler fails. */
export interface RpcErrorPayload {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}
