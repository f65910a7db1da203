import { Injectable } from '@nestjs/common';
import { distinctUntilChanged, exhaustMap, from, map, Observable, takeWhile, timer } from 'rxjs';
import { Sql } from '@bank/database';
import { TransferRepository } from '../transfers/transfer.repository.js';
import { TransferTimelineService } from '../transfers/transfer-timeline.service.js';
import { toTransferView, type TransferRow } from '../transfers/transfer.row.js';
import type { TransferTimeline } from '../transfers/transfer.view.js';
import { SystemMonitor } from './system-monitor.service.js';
import {
  type OutboxEventView,
  SUBSCRIBER_APPS,
  type SubscriberApp,
  type SubscriberLane,
  type SubscriberState,
  type TransferLive,
} from './ui.views.js';

/** How often an open transfer page re-reads its transfer, until it is final and every subscriber answered. */
export const TRANSFER_POLL_MS = 500;
/** A page left open on a transfer that never settles (a subscriber paused for good) stops after this. */
export const TRANSFER_WATCH_MAX_MS = 15 * 60_000;

interface OutboxRow {
  id: string;
  type: string;
  created_at: Date;
  published_at: Date | null;
  attempts: number;
}

/** Both halves of one transfer, read again and again while a page shows it; sent only when something changed. */
@Injectable()
export class TransferLiveService {
  constructor(
    private readonly transfers: TransferRepository,
    private readonly timeline: TransferTimelineService,
    private readonly monitor: SystemMonitor,
    private readonly db: Sql,
  ) {}

  watch(id: string): Observable<TransferLive> {
    const started = Date.now();
    const reads = timer(0, TRANSFER_POLL_MS).pipe(
      exhaustMap(() => from(this.read(id))),
      map((live) => ({ live, key: JSON.stringify(live) })),
      distinctUntilChanged((a, b) => a.key === b.key),
      map(({ live }) => live),
      takeWhile((live) => !live.settled && Date.now() - started < TRANSFER_WATCH_MAX_MS, true),
    );
    // The subscriber lanes show queue depths: keep the one shared poller running while this page is open.
    return new Observable<TransferLive>((subscriber) => {
      const poller = this.monitor.snapshots$.subscribe();
      const stream = reads.subscribe(subscriber);
      return () => {
        stream.unsubscribe();
        poller.unsubscribe();
      };
    });
  }

  async read(id: string): Promise<TransferLive> {
    const row = await this.transfers.findById(id);
    if (!row) throw new Error(`transfer ${id} vanished`);
    const [timeline, event] = await Promise.all([this.timeline.build(row), this.outboxEvent(row.final_event_id)]);
    const subscribers = SUBSCRIBER_APPS.map((name) => this.lane(name, row, timeline));
    const settled =
      row.status !== 'PENDING' &&
      (row.final_event_id === null || subscribers.every((s) => s.state === 'handled' || s.state === 'older-than-retention'));
    return { transfer: toTransferView(row), correlationId: row.correlation_id, timeline, event, subscribers, settled };
  }

  private lane(name: SubscriberApp, row: TransferRow, timeline: TransferTimeline): SubscriberLane {
    const eventId = row.final_event_id;
    if (!eventId) return { name, state: 'no-event' };
    const entry = timeline.entries.find((e) => e.source === name && e.eventId === eventId && e.state === undefined);
    if (entry?.what === 'older than retention') return { name, state: 'older-than-retention', handledAt: entry.at };
    if (entry)
      return { name, state: 'handled', handledAt: entry.at, ...(entry.attempts !== undefined ? { attempts: entry.attempts } : {}) };
    const queues = this.monitor.latest?.subscribers.find((s) => s.name === name);
    const counts = queues
      ? { queued: queues.queued, retrying: queues.retrying, deadLettered: queues.deadLettered, paused: queues.paused }
      : {};
    // Where THIS event sits after the subscriber failed on it (its own record), beside the queues' totals.
    const failed = timeline.entries.find((e) => e.source === name && e.eventId === eventId && e.state !== undefined);
    if (failed?.state)
      return {
        name,
        state: failed.state,
        failedAt: failed.at,
        ...(failed.attempts !== undefined ? { attempts: failed.attempts } : {}),
        ...(failed.errorCode !== undefined ? { errorCode: failed.errorCode } : {}),
        ...(failed.reason !== undefined ? { reason: failed.reason } : {}),
        ...counts,
      };
    // An incomplete timeline with nothing from this subscriber: it did not answer in time.
    const state: SubscriberState = timeline.complete ? 'waiting' : 'unanswered';
    return { name, state, ...counts };
  }

  private async outboxEvent(eventId: string | null): Promise<OutboxEventView | null> {
    if (!eventId) return null;
    const [row] = await this.db.rows<OutboxRow>(
      'SELECT id, type, created_at, published_at, attempts FROM orchestrator.outbox WHERE id = $1',
      [eventId],
    );
    if (!row) return null;
    return {
      eventId: row.id,
      type: row.type,
      writtenAt: row.created_at.toISOString(),
      publishedAt: row.published_at ? row.published_at.toISOString() : null,
      attempts: row.attempts,
    };
  }
}
