import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { EventEnvelopeDto, type EventEnvelope } from '@bank/contracts';
import { EVENT_DATA_SCHEMAS, isKnownEventType } from './event-data.schemas.js';

export type DecodeResult = { ok: true; envelope: EventEnvelope<string, Record<string, unknown>> } | { ok: false; reason: string };

const MAX_REASON = 300;

function describe(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    return [...(e.constraints ? [`${field}: ${Object.keys(e.constraints).join(',')}`] : []), ...describe(e.children ?? [], field)];
  });
}

/**
 * Turns a delivered body into a validated envelope, or says why it is unusable (such a message
 * is parked at once: no retry can fix it). Known event types also get their `data` checked.
 * Only the envelope's own fields are kept.
 */
export function decodeEvent(content: Buffer, messageId?: string): DecodeResult {
  let raw: unknown;
  try {
    raw = JSON.parse(content.toString('utf8'));
  } catch {
    return { ok: false, reason: 'body is not JSON' };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, reason: 'body is not a JSON object' };
  const dto = plainToInstance(EventEnvelopeDto, raw);
  const errors = validateSync(dto, { forbidUnknownValues: true });
  if (errors.length > 0) return { ok: false, reason: `invalid envelope: ${describe(errors).join('; ')}`.slice(0, MAX_REASON) };
  const plain = raw as EventEnvelope<string, Record<string, unknown>>;
  if (messageId !== undefined && messageId !== plain.id) return { ok: false, reason: 'messageId differs from the envelope id' };
  if (isKnownEventType(plain.type)) {
    const dataErrors = validateSync(plainToInstance(EVENT_DATA_SCHEMAS[plain.type], plain.data), { forbidUnknownValues: true });
    if (dataErrors.length > 0)
      return { ok: false, reason: `invalid ${plain.type} data: ${describe(dataErrors).join('; ')}`.slice(0, MAX_REASON) };
  }
  return {
    ok: true,
    envelope: {
      id: plain.id,
      type: plain.type,
      version: 1,
      occurredAt: plain.occurredAt,
      correlationId: plain.correlationId,
      ...(plain.causationId !== undefined ? { causationId: plain.causationId } : {}),
      data: plain.data,
    },
  };
}
