import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventTypes } from '@bank/contracts';
import type { TransferRow } from './transfer.row.js';

export const TIMELINE_SETTINGS = Symbol('TIMELINE_SETTINGS');
export interface TimelineSettings {
  auditUrl: string;
  timeoutMs: number;
}

/** One moment in a transfer's life, from either half of the system. */
export interface TimelineEntry {
  at: string;
  /** 'saga' (orchestrated steps) or the subscriber that handled an event (choreographed). */
  source: string;
  what: string;
  eventId?: string;
}

export interface TransferTimeline {
  entries: TimelineEntry[];
  /** False when audit did not answer in time: the choreographed half is then missing, not empty. */
  complete: boolean;
}

interface AuditRecord {
  eventId: string;
  type: string;
  recordedAt: string;
  data: { subscriber?: string; eventType?: string; eventId?: string; handledAt?: string };
}

/**
 * Both halves of a transfer in one answer: the saga's steps (orchestration, from our own row) and,
 * from audit's trail, when the transfer's events were recorded by audit and handled by the other
 * subscribers (each acknowledges with a subscriber.acknowledged event that audit records too).
 */
@Injectable()
export class TransferTimelineService {
  private readonly logger = new Logger(TransferTimelineService.name);

  constructor(@Inject(TIMELINE_SETTINGS) private readonly settings: TimelineSettings) {}

  async build(row: TransferRow): Promise<TransferTimeline> {
    const saga: TimelineEntry[] = row.steps.map((s) => ({ at: s.at, source: 'saga', what: `${s.name} ${s.status}${s.code ? ` (${s.code})` : ''}` }));
    let records: AuditRecord[] | undefined;
    try {
      const response = await fetch(`${this.settings.auditUrl}/audit/events?transferId=${row.id}&limit=100`, {
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
      if (response.ok) records = (await response.json()) as AuditRecord[];
    } catch (error) {
      this.logger.warn({ msg: 'audit unavailable for the timeline', transferId: row.id, error: String(error) });
    }
    const choreographed = (records ?? []).map((r): TimelineEntry =>
      r.type === EventTypes.SubscriberAcknowledged
        ? { at: r.data.handledAt ?? r.recordedAt, source: r.data.subscriber ?? 'unknown', what: `${r.data.eventType ?? 'event'} handled`, eventId: r.data.eventId ?? r.eventId }
        : { at: r.recordedAt, source: 'audit', what: `${r.type} recorded`, eventId: r.eventId },
    );
    const entries = [...saga, ...choreographed].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    return { entries, complete: records !== undefined };
  }
}
