import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { CORRELATION_ID_PATTERN } from '@bank/contracts';
import { asyncApiYaml } from '@bank/messaging';
import { addProblemAnswers, operationsOf, problemSchema } from './problems.js';

export const OPENAPI_VERSION = '3.1.0';
export const ASYNCAPI_PATH = '/docs/asyncapi.yaml';

/**
 * The public edge's operations that no swagger decorator describes: the health and metrics routes
 * come from @bank/common, which stays free of @nestjs/swagger (loading it costs every app a second).
 */
const SYSTEM_OPERATIONS: Record<string, Record<string, unknown>> = {
  '/health': {
    operationId: 'getHealth',
    tags: ['system'],
    summary: 'Whether the orchestrator can reach its database and the broker',
    description: 'No authentication (load balancers and probes call it). Starts no pattern and publishes nothing.',
    responses: {
      200: {
        description: 'database and broker answer',
        content: {
          'application/json': {
            schema: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } }, additionalProperties: true },
            example: { status: 'ok', info: { database: { status: 'up' }, broker: { status: 'up' } }, error: {}, details: {} },
          },
        },
      },
    },
  },
  '/metrics': {
    operationId: 'getMetrics',
    tags: ['system'],
    summary: 'Prometheus metrics of the orchestrator',
    description: 'No authentication: it carries no business data. Starts no pattern and publishes nothing.',
    responses: {
      200: {
        description: 'Prometheus text exposition format 0.0.4',
        content: { 'text/plain': { schema: { type: 'string' }, example: 'saga_step_duration_seconds_count{step="RESERVE_FUNDS"} 12\n' } },
      },
    },
  },
};

function config(): Omit<OpenAPIObject, 'paths'> {
  return new DocumentBuilder()
    .setOpenAPIVersion(OPENAPI_VERSION)
    .setTitle('Bank API')
    .setDescription(
      'Public REST edge of the banking system. Money is an integer count of minor units; errors are RFC 9457 problem details ' +
        '(`application/problem+json`, schema `Problem`) with a stable `code`. Every request may carry X-Correlation-Id; it is echoed ' +
        'and travels with every command and event the request causes.\n\n' +
        'Each operation says which pattern it starts: **orchestration** (the orchestrator calls the services over TCP and waits) and ' +
        'which events follow on the topic exchange `bank.events` (**choreography**: audit, analytics and notifications react on their ' +
        `own). The events are described by the AsyncAPI document at \`GET ${ASYNCAPI_PATH}\`.`,
    )
    .setVersion('1')
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    .addServer('http://127.0.0.1:3000', 'local: npm run start:all, or docker compose (ORCHESTRATOR_HTTP_PORT)')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'accessToken of POST /auth/otp/verify (Ed25519-signed JWT)' },
      'bearer',
    )
    .addTag('auth', 'OTP login: a code by SMS, exchanged for an access token')
    .addTag('accounts', 'Accounts, balances, statements and deposits of the caller')
    .addTag('transfers', 'Moving money between accounts (the transfer saga)')
    .addTag('system', 'Health and metrics of the orchestrator')
    .build();
}

/** Fills in what every operation shares: security, the correlation id, system routes, every problem answer. */
export function completeDocument(document: OpenAPIObject): OpenAPIObject {
  const components = (document.components ??= {});
  components.schemas = { ...components.schemas, Problem: problemSchema() };
  components.parameters = {
    ...components.parameters,
    CorrelationId: {
      name: 'X-Correlation-Id',
      in: 'header',
      required: false,
      description: 'Travels with every command and event the request causes; made when absent or malformed; echoed in the answer.',
      schema: { type: 'string', maxLength: 128, pattern: CORRELATION_ID_PATTERN.source },
      example: 'c0ffee00-1234-4abc-8def-000000000001',
    },
  };
  components.headers = {
    ...components.headers,
    CorrelationId: { description: "The request's correlation id (given, or made)", schema: { type: 'string' } },
    RetryAfter: { description: 'Seconds until the limit lets the request through', schema: { type: 'integer', minimum: 0 } },
  };
  for (const [path, operation] of Object.entries(SYSTEM_OPERATIONS)) {
    const existing = (document.paths[path] as Record<string, Record<string, unknown>> | undefined)?.get;
    if (existing) Object.assign(existing, operation);
  }
  for (const { path, operation } of operationsOf(document)) {
    // No requirement given: none needed (the OTP login, health, metrics); stated, not left to a global default.
    operation.security ??= [];
    operation.parameters = [...(operation.parameters ?? []), { $ref: '#/components/parameters/CorrelationId' }];
    for (const response of Object.values(operation.responses ?? {}))
      response.headers = {
        'X-Correlation-Id': { $ref: '#/components/headers/CorrelationId' },
        ...(response.headers as object | undefined),
      };
    addProblemAnswers(path, operation);
  }
  return document;
}

export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  return completeDocument(SwaggerModule.createDocument(app, config()));
}

/**
 * OpenAPI at GET /docs (UI) and GET /docs-json, generated from the controllers and DTOs; the
 * AsyncAPI document of the events at GET /docs/asyncapi.yaml, generated from @bank/contracts.
 */
export function mountOpenApi(app: NestFastifyApplication): void {
  const document = createOpenApiDocument(app);
  const asyncapi = asyncApiYaml();
  app
    .getHttpAdapter()
    .getInstance()
    .get(ASYNCAPI_PATH, (_request, reply) => {
      void reply.header('content-type', 'application/yaml; charset=utf-8').send(asyncapi);
    });
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
