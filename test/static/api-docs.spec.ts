import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { lintFromString, loadConfig } from '@redocly/openapi-core';
import { getMetadataStorage } from 'class-validator';
import { load } from 'js-yaml';
import {
  ALL_EVENT_TYPES,
  createEnvelope,
  ErrorCodes,
  EVENT_JSON_SCHEMAS,
  EVENT_SUBSCRIPTIONS,
  EVENTS_EXCHANGE,
  type ErrorCode,
} from '@bank/contracts';
import { asyncApiYaml, bindingsFor, decodeEvent, EVENT_DATA_SCHEMAS as CONSUMER_DTOS, messageName } from '@bank/messaging';
import { buildOpenApiDocument, renderOpenApi } from '../../apps/orchestrator/src/openapi/openapi-document.js';
import { AuditTrailHandler } from '../../apps/audit/src/trail/audit-trail.event-handler.js';
import { AnalyticsCountersHandler } from '../../apps/analytics/src/summary/analytics-counters.event-handler.js';
import { CustomerNoticesHandler } from '../../apps/notifications/src/notices/customer-notices.event-handler.js';
import { undocumentedCalls } from '../../scripts/bench/contract.mjs';
import { clientTypes } from '../../scripts/lib/client-types.mjs';

// The two descriptions of the system, held to the code: the committed files are what the code
// generates (`npm run docs`), the OpenAPI document passes Redocly's recommended rules and documents
// every error answer, the AsyncAPI document parses and names every event, queue and binding, and the
// event schemas agree with what the subscribers accept.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

type Operation = {
  operationId?: string;
  summary?: string;
  description?: string;
  security?: unknown[];
  responses: Record<string, { content?: Record<string, { schema?: { allOf?: { properties?: { code?: { enum?: string[] } } }[] } }> }>;
};
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

describe('the OpenAPI document (GET /docs-json)', () => {
  let document: Awaited<ReturnType<typeof buildOpenApiDocument>>;
  let operations: { path: string; method: string; operation: Operation }[];

  beforeAll(async () => {
    document = await buildOpenApiDocument();
    operations = Object.entries(document.paths).flatMap(([p, item]) =>
      METHODS.filter((m) => (item as Record<string, unknown>)[m]).map((method) => ({
        path: p,
        method,
        operation: (item as Record<string, Operation>)[method],
      })),
    );
  });

  it('is docs/openapi.json, and the e2e client types are generated from it (npm run docs)', async () => {
    expect(read('docs/openapi.json')).toBe(renderOpenApi(document));
    expect(read('test/support/bank-api.generated.ts')).toBe(await clientTypes(JSON.parse(read('docs/openapi.json')) as object));
  });

  it('is OpenAPI 3.1 with a server, a license and the public routes', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.servers?.length).toBeGreaterThan(0);
    expect(document.info.license?.name).toBe('MIT');
    expect(operations.map((o) => `${o.method.toUpperCase()} ${o.path}`).sort()).toEqual([
      'GET /accounts',
      'GET /accounts/{id}',
      'GET /accounts/{id}/statement',
      'GET /health',
      'GET /metrics',
      'GET /transfers/{id}',
      'POST /accounts',
      'POST /accounts/{id}/deposits',
      'POST /auth/otp',
      'POST /auth/otp/verify',
      'POST /transfers',
    ]);
  });

  it('gives every operation an id, a summary, a description of its pattern, and its security (none stated where none is needed)', () => {
    for (const { path: p, method, operation } of operations) {
      const where = `${method} ${p}`;
      expect([where, typeof operation.operationId]).toEqual([where, 'string']);
      expect([where, (operation.summary ?? '').length > 0]).toEqual([where, true]);
      expect([where, /Orchestration|A read|Starts no pattern/.test(operation.description ?? '')]).toEqual([where, true]);
      expect([where, Array.isArray(operation.security)]).toEqual([where, true]);
      const open = ['/auth/otp', '/auth/otp/verify', '/health', '/metrics'].includes(p);
      expect([where, operation.security]).toEqual([where, open ? [] : [{ bearer: [] }]]);
    }
  });

  it('documents every error answer as problem+json of the one Problem schema, with the codes of that status', () => {
    expect(Object.keys(document.components?.schemas ?? {})).toContain('Problem');
    for (const { path: p, method, operation } of operations) {
      const statuses = Object.keys(operation.responses).map(Number);
      const where = `${method} ${p}`;
      // Everything can fail inside or find a dependency down; anything with input can be invalid.
      expect([where, statuses.filter((s) => s >= 500)]).toEqual([where, expect.arrayContaining([500, 503])]);
      if (!['/health', '/metrics'].includes(p)) expect([where, statuses.includes(400)]).toEqual([where, true]);
      for (const status of statuses.filter((s) => s >= 400)) {
        const content = operation.responses[String(status)].content ?? {};
        expect([where, status, Object.keys(content)]).toEqual([where, status, ['application/problem+json']]);
        const [problem, codes] = content['application/problem+json'].schema?.allOf ?? [];
        expect(problem).toEqual({ $ref: '#/components/schemas/Problem' });
        const listed = codes?.properties?.code?.enum ?? [];
        expect(listed.length).toBeGreaterThan(0);
        for (const code of listed) {
          expect(Object.keys(ErrorCodes)).toContain(code);
          // A refusal of something already recorded is 422 whatever the code's usual status (RefusalError).
          if (status !== 422) expect([where, code, status]).toEqual([where, code, ErrorCodes[code as ErrorCode]]);
        }
      }
    }
    const transfer = operations.find((o) => o.method === 'post' && o.path === '/transfers')!.operation;
    const refusals = transfer.responses['422'].content!['application/problem+json'].schema!.allOf![1].properties!.code!.enum;
    expect(refusals).toEqual(
      expect.arrayContaining(['INSUFFICIENT_FUNDS', 'CURRENCY_MISMATCH', 'ACCOUNT_NOT_FOUND', 'IDEMPOTENCY_KEY_REUSED']),
    );
    expect(Object.keys(transfer.responses)).toEqual(expect.arrayContaining(['200', '201', '202', '401', '404', '409', '422', '503']));
  });

  it("passes Redocly's recommended rules with no error (redocly.yaml, no network)", async () => {
    process.env.REDOCLY_TELEMETRY = 'off';
    const config = await loadConfig({ configPath: path.join(root, 'redocly.yaml') });
    const problems = await lintFromString({ source: read('docs/openapi.json'), absoluteRef: path.join(root, 'docs/openapi.json'), config });
    const describe = (p: (typeof problems)[number]) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? ''}`;
    expect(problems.filter((p) => p.severity === 'error').map(describe)).toEqual([]);
    // Warnings do not fail Redocly; the only ones accepted are the two routes that take no input and so have no 4xx.
    expect(problems.filter((p) => p.severity !== 'error').map((p) => `${p.ruleId} ${p.location[0]?.pointer ?? ''}`)).toEqual([
      'operation-4xx-response #/paths/~1health/get/responses',
      'operation-4xx-response #/paths/~1metrics/get/responses',
    ]);
  });

  it('describes every call the bench sends and every status it counts (the bench checks the served one before it starts)', () => {
    expect(undocumentedCalls(document)).toEqual([]);
    expect(undocumentedCalls(document, { 'POST /transfers': [201, 418], 'DELETE /transfers/{id}': [204] })).toEqual([
      'POST /transfers: status 418 not documented',
      'DELETE /transfers/{id}: not in the document',
    ]);
  });

  it('turns a Redocly rule off only with a reason on its line', () => {
    const rules = read('redocly.yaml')
      .split('\n')
      .filter((line) => /:\s*off\b/.test(line));
    for (const line of rules) expect([line, /#\s*\S+/.test(line)]).toEqual([line, true]);
  });
});

describe('the AsyncAPI document (docs/asyncapi.yaml, GET /docs/asyncapi.yaml)', () => {
  it('is what libs/contracts generates (npm run docs:asyncapi)', () => {
    expect(read('docs/asyncapi.yaml')).toBe(asyncApiYaml());
  });

  it('parses with @asyncapi/parser with no error, as AsyncAPI 3.1', async () => {
    const { document, diagnostics } = await new Parser().parse(read('docs/asyncapi.yaml'));
    const errors = diagnostics
      .filter((d) => Number(d.severity) === Number(DiagnosticSeverity.Error))
      .map((d) => `${d.code}: ${d.message} at ${d.path.join('.')}`);
    expect(errors).toEqual([]);
    expect(document?.version()).toBe('3.1.0');
    expect(
      document
        ?.messages()
        .all()
        .map((m) => m.name())
        .sort(),
    ).toEqual([...ALL_EVENT_TYPES].sort());
  });

  it('names every event type with the exchange and its routing key, and every subscriber queue with its retry and dead-letter queues', () => {
    const doc = load(read('docs/asyncapi.yaml')) as {
      channels: Record<string, { address: string; bindings: { amqp: { is: string; exchange?: { name: string; type: string } } } }>;
    };
    const addresses = Object.values(doc.channels).map((c) => c.address);
    for (const type of ALL_EVENT_TYPES) {
      const channel = Object.values(doc.channels).find((c) => c.address === type);
      expect([type, channel?.bindings.amqp]).toEqual([
        type,
        expect.objectContaining({ is: 'routingKey', exchange: expect.objectContaining({ name: EVENTS_EXCHANGE, type: 'topic' }) }),
      ]);
    }
    for (const subscriber of Object.keys(EVENT_SUBSCRIPTIONS)) {
      expect(addresses).toEqual(
        expect.arrayContaining([`${subscriber}.events`, `${subscriber}.events.dlq`, `${subscriber}.events.retry.1s`]),
      );
    }
    expect(read('docs/asyncapi.yaml')).toContain('x-correlation-id');
  });
});

describe('the event contract, held to the code', () => {
  it("binds each subscriber's queue as its handlers' @OnEvents say", () => {
    expect(bindingsFor([AuditTrailHandler])).toEqual([...EVENT_SUBSCRIPTIONS.audit]);
    expect([...bindingsFor([AnalyticsCountersHandler])].sort()).toEqual([...EVENT_SUBSCRIPTIONS.analytics].sort());
    expect([...bindingsFor([CustomerNoticesHandler])].sort()).toEqual([...EVENT_SUBSCRIPTIONS.notifications].sort());
  });

  it('describes the same fields the consumers check, and its examples pass the consumers', () => {
    for (const type of ALL_EVENT_TYPES) {
      const schema = EVENT_JSON_SCHEMAS[type];
      const checked = [
        ...new Set(
          getMetadataStorage()
            .getTargetValidationMetadatas(CONSUMER_DTOS[type], '', true, false)
            .map((m) => m.propertyName),
        ),
      ];
      expect([type, [...checked].sort()]).toEqual([type, Object.keys(schema.properties).sort()]);
      for (const example of schema.examples) {
        const envelope = createEnvelope(type, example as never, { correlationId: 'c-1' });
        expect([type, decodeEvent(Buffer.from(JSON.stringify(envelope)), envelope.id).ok]).toEqual([type, true]);
      }
      expect(messageName(type)).toMatch(/^[A-Z][A-Za-z]+$/);
    }
  });
});
