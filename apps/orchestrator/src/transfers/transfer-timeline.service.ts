import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ErrorCode, InboxEntryView } from '@bank/contracts';
import type { TransferRow } from './transfer.row.js';

export const TIMELINE_SETTINGS = Symbol('TIMELINE_SETTINGS');
export interface TimelineSettings {
  auditUrl: string;
  notificationsUrl: string;
  analyticsUrl: string;
  /** Per service asked; they are asked side by side. */
  timeoutMs: number;
}

/** One moment in a transfer's life, from either half of the system. */
export interface TimelineEntry {
  at: string;
  /** 'saga' (orchestrated steps) or the subscriber that recorded or handled an event (choreographed). */
  source: string;
  what: string;
  eventId?: string;
}

export interface TransferTimeline {
  entries: TimelineEntry[];
  /**
   * False when a service asked (audit; notifications and analytics once the transfer published its
   * final event) did not answer in time: its part is then missing, not empty. "Not handled yet" is an answer.
   */
  complete: boolean;
}

interface AuditRecord {
  eventId: string;
  type: string;
  recordedAt: string;
}

/** A service's part of the timeline, or undefined when it did not answer. */
type Part = TimelineEntry[] | undefined;

/**
 * Both halves of a transfer in one answer, put together at read time: the saga's steps
 * (orchestration, from our own row); audit's records of the transfer's events; and, for the event
 * the final state published, when notifications and analytics handled it (their inbox rows, written
 * with their work). Reading them here keeps the write path at one event per transfer.
 */
@Injectable()
export class TransferTimelineService {
  private readonly logger = new Logger(TransferTimelineService.name);

  constructor(@Inject(TIMELINE_SETTINGS) private readonly settings: TimelineSettings) {}

  async build(row: TransferRow): Promise<TransferTimeline> {
    const saga: TimelineEntry[] = row.steps.map((s) => ({
      at: s.at,
      source: 'saga',
      what: `${s.name} ${s.status}${s.code ? ` (${s.code})` : ''}`,
    }));
    const eventId = row.final_event_id;
    const parts = await Promise.all([
      this.audit(row.id),
      ...(eventId
        ? [
            this.inbox('notifications', this.settings.notificationsUrl, eventId, row.id),
            this.inbox('analytics', this.settings.analyticsUrl, eventId, row.id),
          ]
        : []),
    ]);
    const entries = [...saga, ...parts.flatMap((part) => part ?? [])].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    return { entries, complete: parts.every((part) => part !== undefined) };
  }

  private async audit(transferId: string): Promise<Part> {
    const answer = await this.get('audit', `${this.settings.auditUrl}/audit/events?transferId=${transferId}&limit=100`, transferId);
    if (answer?.status !== 200 || !Array.isArray(answer.body)) return this.unanswered('audit', transferId, answer?.status);
    return (answer.body as AuditRecord[]).map((r) => ({
      at: r.recordedAt,
      source: 'audit',
      what: `${r.type} recorded`,
      eventId: r.eventId,
    }));
  }

  private async inbox(source: string, baseUrl: string, eventId: string, transferId: string): Promise<Part> {
    const answer = await this.get(source, `${baseUrl}/inbox/${eventId}`, transferId);
    if (answer?.status === 200) {
      const entry = answer.body as InboxEntryView;
      return [{ at: entry.handledAt, source, what: `${entry.eventType} handled`, eventId: entry.eventId }];
    }
    // Not handled yet. Any other 404 (a subscriber without the route) says nothing about the event.
    if (answer?.status === 404 && (answer.body as { code?: ErrorCode } | undefined)?.code === 'EVENT_NOT_HANDLED') return [];
    return this.unanswered(source, transferId, answer?.status);
  }

  /** GET with the timeline's timeout: status and JSON body, or undefined when no (JSON) answer came in time. */
  private async get(source: string, url: string, transferId: string): Promise<{ status: number; body: unknown } | undefined> {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(this.settings.timeoutMs) });
      // Under the same timeout: a body cut off by it means no answer.
      const body: unknown = await response.json();
      return { status: response.status, body };
    } catch (error) {
      this.logger.warn({ msg: 'timeline source unavailable', source, transferId, error: String(error) });
      return undefined;
    }
  }

  private unanswered(source: string, transferId: string, status: number | undefined): undefined {
    if (status !== undefined) this.logger.warn({ msg: 'timeline source answered with an error', source, transferId, status });
    return undefined;
  }
}
