import { Controller } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { GetStatementQuery, LedgerPatterns, type StatementReply } from '@bank/contracts';

@Controller()
export class StatementsController {
  constructor(private readonly queries: QueryBus) {}

  @MessagePattern(LedgerPatterns.GetStatement)
  statement(@Payload() query: GetStatementQuery): Promise<StatementReply> {
    return this.queries.execute(query);
  }
}
