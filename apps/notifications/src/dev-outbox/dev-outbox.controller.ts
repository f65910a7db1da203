import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { InternalRead } from '@bank/common';
import { InternalReads, type OutboxMessageView } from '@bank/contracts';
import { ListOutboxQuery } from './list-outbox.query.js';

/**
 * The dev delivery channel: what was "sent" to a phone. Mounted only when NOTIFICATIONS_DEV_OUTBOX
 * is on; otherwise the route does not exist and answers 404. Even then only for `operator` and the
 * orchestrator (the page's "try it" shows the SMS a person would read): it hands out login codes.
 */
@Controller()
export class DevOutboxController {
  constructor(private readonly queries: QueryBus) {}

  @InternalRead(InternalReads.DevOutbox)
  @Get('outbox')
  list(@Query() query: ListOutboxQuery): Promise<OutboxMessageView[]> {
    return this.queries.execute(query);
  }
}
