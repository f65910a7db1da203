import { Controller, Get, Inject, Param } from '@nestjs/common';
import { InternalRead, UuidParam } from '@bank/common';
import { DomainError, InternalReads, type InboxEntryView } from '@bank/contracts';
import { Sql } from '@bank/database';
import type { EventSubscriberOptions } from '../consumer/event-subscriber.service.js';
import { SUBSCRIBER_OPTIONS } from '../consumer/event-subscriber.tokens.js';
import { inboxEntrySql } from './inbox.sql.js';

interface InboxRow {
  subscriber: string;
  event_id: string;
  event_type: string;
  received_at: Date;
  attempts: number;
}

/**
 * When this subscriber applied an event, read from its inbox. The orchestrator asks it for a
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
    const [row] = await this.sql.rows<InboxRow>(inboxEntrySql(this.options.schema), [this.options.subscriber, eventId]);
    if (!row) throw new DomainError('EVENT_NOT_HANDLED', `${this.options.subscriber} has not handled event ${eventId}`);
    return {
      subscriber: row.subscriber,
      eventId: row.event_id,
      eventType: row.event_type,
      handledAt: row.received_at.toISOString(),
      attempts: row.attempts,
    };
  }
}
