import { Injectable } from '@nestjs/common';
import type { SqlRunner } from '@bank/database';
import { ALL_EVENTS, OnEvents, type InboundEvent, type InboundEventHandler } from '@bank/messaging';
import { chainHash, GENESIS_HASH, type ChainedContent } from './audit-chain.js';

/** Serialises appends across replicas for the length of the batch's transaction. */
const APPEND_LOCK = `SELECT pg_advisory_xact_lock(hashtext('audit.records:append'))`;

/**
 * Appends every event to the trail, in delivery order, each record chained to the one before.
 * The whole batch is one INSERT inside the subscriber's transaction (inbox rows included).
 */
@OnEvents(ALL_EVENTS)
@Injectable()
export class AuditTrailHandler implements InboundEventHandler {
  async handle(events: readonly InboundEvent[], tx: SqlRunner): Promise<void> {
    await tx.rows(APPEND_LOCK);
    // Read after taking the lock: this statement's snapshot includes every earlier append.
    const [head] = await tx.rows<{ hash: string | null; now: Date }>(
      `SELECT (SELECT hash FROM audit.records ORDER BY seq DESC LIMIT 1) AS hash, date_trunc('milliseconds', clock_timestamp()) AS now`,
    );
    // The inbox already drops redeliveries; this guards the trail if the inbox was ever cleaned.
    // Planned each time: a plan cached while the trail was a few rows long would scan all of it.
    const existing = await tx.rows<{ event_id: string }>(
      `SELECT event_id FROM audit.records WHERE event_id = ANY($1::uuid[])`,
      [events.map((e) => e.id)],
      { prepare: false },
    );
    const seen = new Set(existing.map((r) => r.event_id.toLowerCase()));
    const recordedAt = head.now.toISOString();
    let prevHash = head.hash ?? GENESIS_HASH;
    const records: (ChainedContent & { hash: string; prevHash: string })[] = [];
    for (const event of events) {
      if (seen.has(event.id.toLowerCase())) continue;
      seen.add(event.id.toLowerCase());
      const content: ChainedContent = {
        eventId: event.id.toLowerCase(),
        type: event.type,
        correlationId: event.correlationId,
        causationId: event.causationId ?? null,
        occurredAt: new Date(event.occurredAt).toISOString(),
        recordedAt,
        data: event.data,
      };
      const hash = chainHash(prevHash, content);
      records.push({ ...content, hash, prevHash });
      prevHash = hash;
    }
    if (records.length === 0) return;
    await tx.rows(
      `INSERT INTO audit.records (event_id, type, correlation_id, causation_id, occurred_at, recorded_at, data, hash, prev_hash)
       SELECT (r->>'eventId')::uuid, r->>'type', r->>'correlationId', r->>'causationId',
              (r->>'occurredAt')::timestamptz, (r->>'recordedAt')::timestamptz, r->'data', r->>'hash', r->>'prevHash'
         FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS batch(r, ord)
        ORDER BY ord`,
      [JSON.stringify(records)],
    );
  }
}
