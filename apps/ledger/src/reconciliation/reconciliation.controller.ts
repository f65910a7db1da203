import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { InternalRead } from '@bank/common';
import { InternalReads, LedgerPatterns, ReconcileQuery, type ReconcileReply } from '@bank/contracts';

/** Reconciliation over TCP for services, and over HTTP (the ledger's small port) for operators and tests. */
@Controller()
export class ReconciliationController {
  constructor(private readonly queries: QueryBus) {}

  @MessagePattern(LedgerPatterns.Reconcile)
  reconcile(@Payload() query: ReconcileQuery): Promise<ReconcileReply> {
    return this.queries.execute(query);
  }

  @InternalRead(InternalReads.Reconciliation)
  @Get('reconciliation')
  reconcileOverHttp(): Promise<ReconcileReply> {
    return this.queries.execute(new ReconcileQuery());
  }
}
