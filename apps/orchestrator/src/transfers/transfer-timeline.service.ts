import { Agent, request } from 'node:https';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { clientTls, errorMessage, injectTraceContext, sampledTraceId, type TlsIdentity } from '@bank/common';
import type { ErrorCode, HandledInboxEntry, InboxEntryView, ServiceIdentity } from '@bank/contracts';
import { TIMELINE_SETTINGS } from '../orchestrator.tokens.js';
import type { TransferRow } from './transfer.row.js';
import type { TimelineEntry, TransferTimeline } from './transfer.view.js';

export interface TimelineSettings {
  auditUrl: string;
  notificationsUrl: string;
  analyticsUrl: string;
  /** Per service asked; they are asked side by side. */
  timeoutMs: number;
  /** The orchestrator's client certificate: these reads are open to it (InternalReads). */
  identity: TlsIdentity;
  /** How long the subscribers keep their inbox rows (INBOX_RETENTION_HOURS). */
  inboxRetentionHours: number;
  /** TRACE_UI_URL: `{traceId}` in it is replaced by the id, or the id is appended; empty for none. */
  traceUiUrl?: string;
}

interface AuditRecord {
  eventId: string;
  type: string;
  recordedAt: string;
  attempts?: number;
}

/** The services whose reads complete a timeline. */
type TimelineSource = Extract<ServiceIdentity, 'audit' | 'notifications' | 'analytics'>;

/** A service's part of the timeline, or undefined when it did not answer. */
type Part = TimelineEntry[] | undefined;

/**
 * Both halves of a transfer in one answer, put together at read time: the saga's steps
 * (orchestration, from our own row); audit's records of the transfer's events; and, for the event
 * the final state published, when notifications and analytics handled it (their inbox rows, written
 * with their work). Reading them here keeps the write path at one event per transfer.
 */
@Injectable()
export class TransferTimelineService implements OnModuleDestroy {
  private readonly logger = new Logger(TransferTimelineService.name);
  /** Keep-alive connections per service: a TLS handshake per connection, not per read. */
  private readonly agents: Record<TimelineSource, Agent>;

  constructor(@Inject(TIMELINE_SETTINGS) private readonly settings: TimelineSettings) {
    const agent = (target: ServiceIdentity) => new Agent({ keepAlive: true, maxSockets: 16, ...clientTls(settings.identity, target) });
    this.agents = { audit: agent('audit'), notifications: agent('notifications'), analytics: agent('analytics') };
  }

  onModuleDestroy(): void {
    for (const agent of Object.values(this.agents)) agent.destroy();
  }

  async build(row: TransferRow): Promise<TransferTimeline> {
    const saga: TimelineEntry[] = row.steps.map((s) => ({
      at: s.at,
      source: 'saga',
      what: `${s.name} ${s.status}${s.code ? ` (${s.code})` : ''}`,
    }));
    const eventId = row.final_event_id;
    const parts = await Promise.all([
      this.audit(row.id, eventId),
      ...(eventId
        ? [
            this.inbox('notifications', this.settings.notificationsUrl, eventId, row),
            this.inbox('analytics', this.settings.analyticsUrl, eventId, row),
          ]
        : []),
    ]);
    const entries = [...saga, ...parts.flatMap((part) => part ?? [])].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    const traceId = sampledTraceId(row.trace_context);
    const traceUrl = traceId && this.settings.traceUiUrl ? traceLink(this.settings.traceUiUrl, traceId) : undefined;
    return {
      entries,
      complete: parts.every((part) => part !== undefined),
      ...(traceId ? { traceId } : {}),
      ...(traceUrl ? { traceUrl } : {}),
    };
  }

  private async audit(transferId: string, finalEventId: string | null): Promise<Part> {
    const answer = await this.get('audit', `${this.settings.auditUrl}/audit/events?transferId=${transferId}&limit=100`, transferId);
    if (answer?.status !== 200 || !Array.isArray(answer.body)) return this.unanswered('audit', transferId, answer?.status);
    const records: TimelineEntry[] = (answer.body as AuditRecord[]).map((r) => ({
      at: r.recordedAt,
      source: 'audit',
      what: `${r.type} recorded`,
      eventId: r.eventId,
      ...attemptsOf(r),
    }));
    if (!finalEventId || records.some((r) => r.eventId?.toLowerCase() === finalEventId.toLowerCase())) return records;
    // Not recorded yet: audit's inbox says whether it failed on the event (asked only then). Its
    // silence costs only that entry: the trail above is audit's answer.
    const inbox = await this.get('audit', `${this.settings.auditUrl}/inbox/${finalEventId}`, transferId);
    const pending = inbox?.status === 200 ? pendingEntry('audit', inbox.body) : undefined;
    return pending ? [...records, pending] : records;
  }

  private async inbox(source: Exclude<TimelineSource, 'audit'>, baseUrl: string, eventId: string, row: TransferRow): Promise<Part> {
    const transferId = row.id;
    const answer = await this.get(source, `${baseUrl}/inbox/${eventId}`, transferId);
    if (answer?.status === 200) {
      const pending = pendingEntry(source, answer.body);
      if (pending) return [pending];
      const entry = answer.body as HandledInboxEntry;
      return [{ at: entry.handledAt, source, what: `${entry.eventType} handled`, eventId: entry.eventId, ...attemptsOf(entry) }];
    }
    // Not handled yet, or handled so long ago that the inbox row is pruned: the transfer's age tells
    // which. Any other 404 (a subscriber without the route) says nothing about the event.
    if (answer?.status === 404 && (answer.body as { code?: ErrorCode } | undefined)?.code === 'EVENT_NOT_HANDLED') {
      const finished = row.completed_at ?? row.created_at;
      const pruned = Date.now() - finished.getTime() > this.settings.inboxRetentionHours * 3_600_000;
      return pruned ? [{ at: finished.toISOString(), source, what: 'older than retention', eventId }] : [];
    }
    return this.unanswered(source, transferId, answer?.status);
  }

  /** GET with the timeline's timeout: status and JSON body, or undefined when no (JSON) answer came in time. */
  private async get(source: TimelineSource, url: string, transferId: string): Promise<{ status: number; body: unknown } | undefined> {
    try {
      return await getJson(url, this.agents[source], this.settings.timeoutMs);
    } catch (error) {
      this.logger.warn({ msg: 'timeline source unavailable', source, transferId, err: errorMessage(error) });
      return undefined;
    }
  }

  private unanswered(source: string, transferId: string, status: number | undefined): undefined {
    if (status !== undefined) this.logger.warn({ msg: 'timeline source answered with an error', source, transferId, status });
    return undefined;
  }
}

/** A subscriber's attempt count as the timeline carries it: only a count it can trust (an older subscriber sends none). */
export function attemptsOf(answer: { attempts?: unknown }): { attempts?: number } {
  const { attempts } = answer;
  return typeof attempts === 'number' && Number.isInteger(attempts) && attempts >= 1 ? { attempts } : {};
}

/**
 * A subscriber's answer for an event it failed on and has not handled (`handled: false`), as a
 * timeline entry at the time it recorded the failure; undefined for any other answer.
 */
export function pendingEntry(source: string, body: unknown): TimelineEntry | undefined {
  const entry = body as Partial<Extract<InboxEntryView, { handled: false }>> | undefined;
  if (entry?.handled !== false || (entry.state !== 'retrying' && entry.state !== 'parked')) return undefined;
  if (typeof entry.updatedAt !== 'string' || typeof entry.eventId !== 'string') return undefined;
  const where = entry.state === 'retrying' ? 'in a retry queue' : 'parked in the dead-letter queue';
  return {
    at: entry.updatedAt,
    source,
    what: `${entry.eventType ?? 'event'} ${where}`,
    eventId: entry.eventId,
    ...attemptsOf(entry),
    state: entry.state,
    ...(typeof entry.errorCode === 'string' ? { errorCode: entry.errorCode } : {}),
    ...(typeof entry.reason === 'string' ? { reason: entry.reason } : {}),
  };
}

/** A trace's link in the trace UI: the id in place of `{traceId}`, or after the URL. */
export function traceLink(template: string, traceId: string): string {
  return template.includes('{traceId}') ? template.replaceAll('{traceId}', traceId) : `${template}${traceId}`;
}

/** GET over HTTPS: status and JSON body; rejects on any failure, a body cut off by the timeout included. */
function getJson(url: string, agent: Agent, timeoutMs: number): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { agent, signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json', ...injectTraceContext() } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}
