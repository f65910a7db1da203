import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** One registry per process; every app exposes it at GET /metrics. */
export const metricsRegistry = new Registry();

export function initMetrics(service: string): void {
  metricsRegistry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: metricsRegistry });
}

export const httpRequestDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP request latency by route and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});

export const rpcHandlerDuration = new Histogram({
  name: 'rpc_handler_duration_seconds',
  help: 'Latency of handled TCP commands by pattern and outcome',
  labelNames: ['pattern', 'outcome'] as const,
  buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [metricsRegistry],
});

export const rpcClientDuration = new Histogram({
  name: 'rpc_client_duration_seconds',
  help: 'Latency of synchronous calls to other services (all attempts), by target, pattern and outcome',
  labelNames: ['target', 'pattern', 'outcome'] as const,
  buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});

export const rpcClientRetries = new Counter({
  name: 'rpc_client_retries_total',
  help: 'Retries of transient failures of synchronous calls, by target and pattern',
  labelNames: ['target', 'pattern'] as const,
  registers: [metricsRegistry],
});
