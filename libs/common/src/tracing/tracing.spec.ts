import { ROOT_CONTEXT } from '@opentelemetry/api';
import { extractTraceContext, injectTraceContext, isTracing, sampledTraceId, traceLogFields } from './tracing.js';

describe('tracing helpers', () => {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';

  it('reads the trace id of a stored traceparent only when it was sampled (a trace exists to look at)', () => {
    expect(sampledTraceId({ traceparent: `00-${traceId}-00f067aa0ba902b7-01` })).toBe(traceId);
    expect(sampledTraceId({ traceparent: `00-${traceId}-00f067aa0ba902b7-00` })).toBeUndefined();
    expect(sampledTraceId({ traceparent: 'garbage' })).toBeUndefined();
    expect(sampledTraceId(null)).toBeUndefined();
    expect(sampledTraceId(undefined)).toBeUndefined();
  });

  it('with tracing off (no SDK started) carries nothing and adds nothing to log lines', () => {
    expect(isTracing()).toBe(false);
    expect(injectTraceContext()).toBeUndefined();
    expect(extractTraceContext({ traceparent: `00-${traceId}-00f067aa0ba902b7-01` })).toBe(ROOT_CONTEXT);
    expect(traceLogFields()).toEqual({});
  });
});
