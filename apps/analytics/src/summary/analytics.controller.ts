import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { InternalRead } from '@bank/common';
import { InternalReads } from '@bank/contracts';
import { GetAnalyticsSummaryQuery, type AnalyticsSummary } from './get-analytics-summary.handler.js';

@Controller('analytics')
export class AnalyticsController {
  constructor(private readonly queries: QueryBus) {}

  @InternalRead(InternalReads.AnalyticsSummary)
  @Get('summary')
  summary(): Promise<AnalyticsSummary> {
    return this.queries.execute(new GetAnalyticsSummaryQuery());
  }
}
