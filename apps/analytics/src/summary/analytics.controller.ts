import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { GetAnalyticsSummaryQuery, type AnalyticsSummary } from './get-analytics-summary.handler.js';

@Controller('analytics')
export class AnalyticsController {
  constructor(private readonly queries: QueryBus) {}

  @Get('summary')
  summary(): Promise<AnalyticsSummary> {
    return this.queries.execute(new GetAnalyticsSummaryQuery());
  }
}
