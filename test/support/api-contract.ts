import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { load } from 'js-yaml';

/**
 * The two documents as committed (`npm run docs` writes them; unit tests fail when they are stale,
 * an e2e test when the served ones differ), and checks that hold what travels to them: every answer
 * the e2e client gets must be a documented status of its operation, with a body of the documented
 * schema and no undocumented field; every event, its AsyncAPI message schema.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

type Schema = Record<string, unknown>;
interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}
export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
  [key: string]: unknown;
}

export const openApi = JSON.parse(readFileSync(path.join(root, 'docs/openapi.json'), 'utf8')) as OpenApiDocument;
export const asyncApiText = readFileSync(path.join(root, 'docs/asyncapi.yaml'), 'utf8');
export const asyncApi = load(asyncApiText) as {
  components: { messages: Record<string, { name: string; payload: Schema }>; schemas: Record<string, Schema> };
  channels: Record<string, { address: string }>;
};

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);

/** `#/components/schemas/X` -> `#/$defs/X`, so a schema compiles on its own with the components beside it. */
function localRefs(value: unknown, closeObjects: boolean): unknown {
  if (Array.isArray(value)) return value.map((v) => localRefs(v, closeObjects));
  if (!value || typeof value !== 'object') return value;
  const out: Schema = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = key === '$ref' && typeof v === 'string' ? v.replace('#/components/schemas/', '#/$defs/') : localRefs(v, closeObjects);
  }
  // A DTO lists every field it answers: one the document does not name is drift, not an extension.
  if (closeObjects && out.type === 'object' && out.properties && out.additionalProperties === undefined) out.unevaluatedProperties = false;
  return out;
}

const openApiDefs = localRefs(openApi.components.schemas, true) as Schema;
const validators = new Map<string, ValidateFunction>();

function validatorFor(key: string, schema: Schema, defs: Schema): ValidateFunction {
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile({ ...(localRefs(schema, false) as Schema), $defs: defs });
    validators.set(key, validate);
  }
  return validate;
}

export interface Answer {
  status: number;
  headers: Record<string, unknown>;
  body: unknown;
}

/** Throws unless `answer` is a documented answer of `method path` (path as the document writes it, e.g. /transfers/{id}). */
export function assertDocumentedAnswer(method: string, template: string, answer: Answer): void {
  const where = `${method.toUpperCase()} ${template}`;
  const operation = openApi.paths[template]?.[method.toLowerCase()];
  if (!operation) throw new Error(`${where} is not in the OpenAPI document`);
  const response = operation.responses[String(answer.status)];
  if (!response) {
    throw new Error(
      `${where} answered ${answer.status}, which the OpenAPI document does not list (${Object.keys(operation.responses).join(', ')}): ${JSON.stringify(answer.body)}`,
    );
  }
  const declared = answer.headers['content-type'];
  const contentType = (typeof declared === 'string' ? declared : '').split(';')[0].trim();
  const media = response.content?.[contentType];
  if (!media?.schema) {
    if (response.content && Object.keys(response.content).length > 0)
      throw new Error(
        `${where} ${answer.status} answered ${contentType || 'no content type'}, documented: ${Object.keys(response.content).join(', ')}`,
      );
    return;
  }
  const validate = validatorFor(`${where} ${answer.status} ${contentType}`, media.schema, openApiDefs);
  if (!validate(answer.body)) {
    throw new Error(
      `${where} ${answer.status}: the body does not match the OpenAPI document: ${ajv.errorsText(validate.errors)}; body ${JSON.stringify(answer.body)}`,
    );
  }
}

const asyncApiDefs = localRefs(asyncApi.components.schemas, false) as Schema;
const messagesByType = new Map(Object.values(asyncApi.components.messages).map((m) => [m.name, m]));

/** Why an event (envelope as it travels) does not match its AsyncAPI message, or undefined when it does. */
export function asyncApiViolation(envelope: unknown): string | undefined {
  const type = (envelope as { type?: unknown } | null)?.type;
  const message = typeof type === 'string' ? messagesByType.get(type) : undefined;
  if (!message) return `event type ${JSON.stringify(type)} is not in the AsyncAPI document`;
  const validate = validatorFor(`asyncapi ${String(type)}`, message.payload, asyncApiDefs);
  return validate(envelope) ? undefined : `${String(type)}: ${ajv.errorsText(validate.errors)}`;
}
