import { Controller, Get, Inject, Param } from '@nestjs/common';
import { InternalRead, UuidParam } from '@bank/common';
import { DomainError, InternalReads, type InboxEntryView } from '@bank/contracts';
import { Sql } from '@bank/database';
import type { EventSubscriberOptions } from '../consumer/event-subscriber.service.js';
import { SUBSCRIBER_OPTIONS } from '../consumer/event-subscriber.tokens.js';
import { inboxEntrySql, inboxFailureEntrySql } from './inbox.sql.js';

interface InboxRow {
  subscriber: string;
  event_id: string;
  event_type: string;
  received_at: Date;
  attempts: number;
}

interface FailureRow {
  subscriber: string;
  event_id: string;
  event_type: string;
  state: 'retrying' | 'parked';
  attempts: number;
  error_code: string;
  reason: string | null;
  updated_at: Date;
}

/**
 * When this subscriber applied an event, read from its inbox; while it has not, where the event sits
 * after a failure (its inbox_failures row), read only then. The orchestrator asks it for a
 * transfer's timeline at read time, so the write path carries no extra event per subscriber.
 */
@Controller('inbox')
export class InboxController {
  constructor(
    @Inject(SUBSCRIBER_OPTIONS) private readonly options: EventSubscriberOptions,
    private readonly sql: Sql,
  ) {}

  @InternalRead(InternalReads.Inbox)
  @Get(':eventId')
  async get(@Param('eventId', UuidParam()) eventId: string): Promise<InboxEntryView> {
    const { schema, subscriber } = this.options;
    const [row] = await this.sql.rows<InboxRow>(inboxEntrySql(schema), [subscriber, eventId]);
    // The inbox row wins: a failure recorded before the event was finally applied is history.
    if (row) {
      return {
        subscriber: row.subscriber,
        eventId: row.event_id,
        eventType: row.event_type,
        handledAt: row.received_at.toISOString(),
        attempts: row.attempts,
      };
    }
    const [failure] = await this.sql.rows<FailureRow>(inboxFailureEntrySql(schema), [subscriber, eventId]);
    if (!failure) throw new DomainError('EVENT_NOT_HANDLED', `${subscriber} has not handled event ${eventId}`);
    return {
      subscriber: failure.subscriber,
      eventId: failure.event_id,
      eventType: failure.event_type,
      handled: false,
      state: failure.state,
      attempts: failure.attempts,
      errorCode: failure.error_code,
      ...(failure.reason !== null ? { reason: failure.reason } : {}),
      updatedAt: failure.updated_at.toISOString(),
    };
  }
}
