import { HttpException } from '@nestjs/common';
import { DomainError, ERROR_TITLES, ErrorCodes, isErrorCode, RefusalError, type ErrorCode } from '@bank/contracts';

/** RFC 9457 problem details with the system's stable `code`. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  instance: string;
  [extension: string]: unknown;
}

const PROBLEM_BASE = 'https://bank.example/problems/';

const STATUS_TO_CODE: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'IDEMPOTENCY_IN_PROGRESS',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  503: 'SERVICE_UNAVAILABLE',
  504: 'DEPENDENCY_TIMEOUT',
};

/** Errors thrown by the HTTP framework itself (body parser, router) carry a statusCode. */
function frameworkStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

/** Codes of a database or network connection that is down or was cut: the request may be retried. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);

function isUnavailable(error: unknown): boolean {
  const code =
    (error as { code?: unknown; driverError?: { code?: unknown } } | undefined)?.code ??
    (error as { driverError?: { code?: unknown } } | undefined)?.driverError?.code;
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message);
}

/** The one mapping from any error to a problem. Unknown errors become a 500 without internals. */
export function toProblem(error: unknown, instance: string): ProblemDetails {
  let code: ErrorCode = 'INTERNAL';
  let detail: string = ERROR_TITLES.INTERNAL;
  let extensions: Record<string, unknown> = {};
  let status: number | undefined;

  if (error instanceof DomainError) {
    if (error instanceof RefusalError) status = 422;
    code = error.code;
    detail = error.message;
    extensions = error.details ?? {};
  } else if (error instanceof HttpException) {
    status = error.getStatus();
    const response = error.getResponse();
    const given = typeof response === 'object' && response !== null ? (response as { code?: unknown }).code : undefined;
    code = isErrorCode(given) ? given : (STATUS_TO_CODE[status] ?? (status >= 500 ? 'INTERNAL' : 'VALIDATION_FAILED'));
    detail = status >= 500 ? ERROR_TITLES[code] : error.message;
  } else if (isUnavailable(error)) {
    code = 'SERVICE_UNAVAILABLE';
    detail = 'A dependency is unavailable; try again';
  } else if (frameworkStatus(error) !== undefined) {
    status = frameworkStatus(error)!;
    code = STATUS_TO_CODE[status] ?? 'VALIDATION_FAILED';
    detail = (error as Error).message;
  }

  return {
    ...extensions,
    type: `${PROBLEM_BASE}${code.toLowerCase().replace(/_/g, '-')}`,
    title: ERROR_TITLES[code],
    status: status ?? ErrorCodes[code],
    code,
    detail,
    instance,
  };
}
