import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { AuditEventView } from './audit-record.row.js';
import { ListAuditEventsQuery, VerifyAuditChainQuery, type VerifyAuditChainReply } from './list-audit-events.query.js';

/** The read side of the trail (contract: GET :3005/audit/events, /audit/verify). */
@Controller('audit')
export class AuditController {
  constructor(private readonly queries: QueryBus) {}

  @Get('events')
  list(@Query() query: ListAuditEventsQuery): Promise<AuditEventView[]> {
    return this.queries.execute(query);
  }

  @Get('verify')
  verify(): Promise<VerifyAuditChainReply> {
    return this.queries.execute(new VerifyAuditChainQuery());
  }
}
