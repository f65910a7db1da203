import { ApiExtension } from '@nestjs/swagger';
import type { OpenAPIObject } from '@nestjs/swagger';
import { ERROR_TITLES, ErrorCodes, type ErrorCode } from '@bank/contracts';

/**
 * Every error answer of the public API, in the OpenAPI document: RFC 9457 problem details
 * (`application/problem+json`) with the system's stable `code`, one shared `Problem` schema, and per
 * operation and status the codes it can answer, taken from `ErrorCodes` of `@bank/contracts`.
 *
 * An operation declares only its own refusals (`@ApiProblems`, `@ApiRefusals`); what every operation
 * of a kind can answer is added here from facts of the document, so it cannot be forgotten:
 * input (parameters or a body) -> 400 VALIDATION_FAILED; a body -> 413, 415; a bearer token -> 401;
 * an Idempotency-Key -> 409 IDEMPOTENCY_IN_PROGRESS and 422 IDEMPOTENCY_KEY_REUSED; a call to a
 * service over TCP -> 504 DEPENDENCY_TIMEOUT; every operation -> 500 INTERNAL, 503 SERVICE_UNAVAILABLE.
 */

const PROBLEMS = 'x-bank-problems';
const REFUSALS = 'x-bank-refusals';
const RPC = 'x-bank-rpc';

/** Codes the operation answers at their usual status (ErrorCodes). */
export const ApiProblems = (...codes: ErrorCode[]) => ApiExtension(PROBLEMS, { codes });

/** Business refusals of something already recorded (RefusalError): 422 whatever the code's usual status. */
export const ApiRefusals = (codes: Iterable<ErrorCode>) => ApiExtension(REFUSALS, { codes: [...codes].sort() });

/** The operation waits on a service's answer over TCP: it can time out (504 DEPENDENCY_TIMEOUT). */
export const ApiCallsServices = () => ApiExtension(RPC, { calls: true });

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';
const PROBLEM_BASE = 'https://bank.example/problems/';

export const problemType = (code: ErrorCode) => `${PROBLEM_BASE}${code.toLowerCase().replace(/_/g, '-')}`;

/** The one problem schema; extension members that some answers carry are named too. */
export function problemSchema(): Record<string, unknown> {
  return {
    type: 'object',
    description: 'RFC 9457 problem details with the stable machine `code` of the system (the `type` URI is derived from it).',
    required: ['type', 'title', 'status', 'code', 'detail', 'instance'],
    properties: {
      type: { type: 'string', format: 'uri', example: problemType('INSUFFICIENT_FUNDS') },
      title: { type: 'string', example: ERROR_TITLES.INSUFFICIENT_FUNDS },
      status: { type: 'integer', minimum: 400, maximum: 599, example: 422 },
      code: { type: 'string', enum: Object.keys(ErrorCodes), example: 'INSUFFICIENT_FUNDS' },
      detail: { type: 'string', example: 'Account has 100 available, 1250 needed' },
      instance: { type: 'string', format: 'uri-reference', example: '/transfers' },
      transferId: {
        type: 'string',
        format: 'uuid',
        description: 'a refused transfer: GET /transfers/{id} shows it FAILED with failureCode',
      },
      depositId: { type: 'string', format: 'uuid', description: 'a refused deposit' },
      deposit: { $ref: '#/components/schemas/DepositResponse' },
      retryAfterSeconds: { type: 'integer', minimum: 0, description: 'a rate limit: when to try again (also in Retry-After)' },
    },
    additionalProperties: true,
  };
}

type Operation = Record<string, unknown> & {
  parameters?: { name?: string; in?: string; $ref?: string }[];
  requestBody?: unknown;
  security?: Record<string, string[]>[];
  responses?: Record<string, Record<string, unknown>>;
};

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'] as const;

export function operationsOf(document: OpenAPIObject): { path: string; method: string; operation: Operation }[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const operation = (item as Record<string, Operation | undefined>)[method];
      return operation ? [{ path, method, operation }] : [];
    }),
  );
}

function codesOf(operation: Operation, key: string): ErrorCode[] {
  const value = operation[key] as { codes?: ErrorCode[] } | undefined;
  delete operation[key];
  return value?.codes ?? [];
}

/** Status -> codes an operation can answer, from its own declarations and the facts above. */
export function problemsOf(operation: Operation): Map<number, Set<ErrorCode>> {
  const answers = new Map<number, Set<ErrorCode>>();
  const add = (status: number, code: ErrorCode) => answers.set(status, (answers.get(status) ?? new Set()).add(code));
  for (const code of codesOf(operation, PROBLEMS)) add(ErrorCodes[code], code);
  for (const code of codesOf(operation, REFUSALS)) add(422, code);
  const rpc = operation[RPC] !== undefined;
  delete operation[RPC];
  const parameters = (operation.parameters ?? []).filter((p) => p.$ref === undefined);
  if (parameters.length > 0 || operation.requestBody) add(400, 'VALIDATION_FAILED');
  if (operation.requestBody) {
    add(413, 'PAYLOAD_TOO_LARGE');
    add(415, 'UNSUPPORTED_MEDIA_TYPE');
  }
  if ((operation.security ?? []).some((requirement) => Object.keys(requirement).length > 0)) add(401, 'UNAUTHORIZED');
  if (parameters.some((p) => p.in === 'header' && p.name?.toLowerCase() === 'idempotency-key')) {
    add(409, 'IDEMPOTENCY_IN_PROGRESS');
    add(422, 'IDEMPOTENCY_KEY_REUSED');
  }
  if (rpc) add(504, 'DEPENDENCY_TIMEOUT');
  add(500, 'INTERNAL');
  add(503, 'SERVICE_UNAVAILABLE');
  return answers;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Content too large',
  415: 'Unsupported media type',
  422: 'Refused by the business',
  429: 'Too many requests',
  500: 'Internal error',
  503: 'Service unavailable',
  504: 'Gateway timeout',
};

/** Adds the problem answers to one operation (merging with a description an operation gave). */
export function addProblemAnswers(path: string, operation: Operation): void {
  const responses = (operation.responses ??= {});
  for (const [status, codes] of [...problemsOf(operation)].sort(([a], [b]) => a - b)) {
    const sorted = [...codes].sort();
    const given = responses[String(status)] as { description?: string } | undefined;
    const codeList = sorted.map((c) => `\`${c}\``).join(', ');
    responses[String(status)] = {
      description: given?.description ? `${given.description} (${codeList})` : `${STATUS_TEXT[status] ?? 'Problem'}: ${codeList}`,
      headers: {
        'X-Correlation-Id': { $ref: '#/components/headers/CorrelationId' },
        ...(status === 429 ? { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } } : {}),
      },
      content: {
        [PROBLEM_MEDIA_TYPE]: {
          schema: {
            allOf: [{ $ref: '#/components/schemas/Problem' }, { type: 'object', properties: { code: { type: 'string', enum: sorted } } }],
          },
          examples: Object.fromEntries(
            sorted.map((code) => [
              code,
              {
                summary: ERROR_TITLES[code],
                value: {
                  type: problemType(code),
                  title: ERROR_TITLES[code],
                  status,
                  code,
                  detail: ERROR_TITLES[code],
                  instance: path.replace(/\{[^}]+\}/g, '3f1c2a4e-8b7d-4c2e-9a1f-0d5e6b7c8a9b'),
                  ...(status === 429 ? { retryAfterSeconds: 60 } : {}),
                },
              },
            ]),
          ),
        },
      },
    };
  }
}
