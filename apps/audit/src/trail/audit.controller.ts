import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { InternalRead } from '@bank/common';
import { InternalReads } from '@bank/contracts';
import type { SignedCheckpoint } from '../checkpoints/checkpoint-signer.js';
import { ListCheckpointsQuery } from '../checkpoints/list-checkpoints.handler.js';
import type { AuditEventView } from './audit-record.row.js';
import { ListAuditEventsQuery, VerifyAuditChainQuery, type VerifyAuditChainReply } from './list-audit-events.query.js';

/** The read side of the trail (contract: GET :3005/audit/events, /audit/verify, /audit/checkpoints). */
@Controller('audit')
export class AuditController {
  constructor(private readonly queries: QueryBus) {}

  @InternalRead(InternalReads.AuditEvents)
  @Get('events')
  list(@Query() query: ListAuditEventsQuery): Promise<AuditEventView[]> {
    return this.queries.execute(query);
  }

  @InternalRead(InternalReads.AuditVerify)
  @Get('verify')
  verify(): Promise<VerifyAuditChainReply> {
    return this.queries.execute(new VerifyAuditChainQuery());
  }

  @InternalRead(InternalReads.AuditCheckpoints)
  @Get('checkpoints')
  checkpoints(@Query() query: ListCheckpointsQuery): Promise<SignedCheckpoint[]> {
    return this.queries.execute(query);
  }
}
