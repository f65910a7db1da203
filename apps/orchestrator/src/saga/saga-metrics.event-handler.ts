import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from '@bank/common';
import { SagaStepRanEvent, TransferFinishedEvent } from './saga.events.js';

const outcomes = new Counter({
  name: 'saga_transfers_finished_total',
  help: 'Transfers reaching a final state, by status and failure code',
  labelNames: ['status', 'failure_code'] as const,
  registers: [metricsRegistry],
});
const durations = new Histogram({
  name: 'saga_transfer_duration_seconds',
  help: 'Time from a transfer saga start to its final state',
  labelNames: ['status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers: [metricsRegistry],
});
const steps = new Histogram({
  name: 'saga_step_duration_seconds',
  help: 'Duration of one saga step call, by saga, step and outcome',
  labelNames: ['saga', 'step', 'outcome'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});

/** The saga's in-process domain events, turned into Prometheus metrics. */
@EventsHandler(TransferFinishedEvent, SagaStepRanEvent)
export class SagaMetricsHandler implements IEventHandler<TransferFinishedEvent | SagaStepRanEvent> {
  handle(event: TransferFinishedEvent | SagaStepRanEvent): void {
    if (event instanceof TransferFinishedEvent) {
      outcomes.inc({ status: event.status, failure_code: event.failureCode ?? '' });
      durations.observe({ status: event.status }, event.durationMs / 1000);
    } else {
      steps.observe({ saga: event.saga, step: event.step, outcome: event.outcome }, event.durationMs / 1000);
    }
  }
}
