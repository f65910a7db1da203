import {
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type SpanOptions,
} from '@opentelemetry/api';
import { TRACEPARENT_FIELD_PATTERN } from '@bank/contracts';
import { tracingSettings } from './tracing-settings.js';

/**
 * The W3C trace context as it travels beside the correlation id: in every TCP command's payload,
 * in every AMQP message's headers, and in the outbox row that becomes the message.
 */
export interface TraceCarrier {
  traceparent: string;
  tracestate?: string;
}

let enabled = false;
/** What `inSpan` hands its callback when tracing is off: records nothing. */
const NO_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * The one tracer of the system's own spans. A proxy: until `startTracing` registers the SDK (and
 * forever when tracing is off) every span it makes is a no-op.
 */
export const tracer = trace.getTracer('bank');

/** True once the SDK runs in this process: callers skip building span data otherwise. */
export function isTracing(): boolean {
  return enabled;
}

/** The active span when it records (sampled, tracing on): spans of the hot paths (SQL) hang only under one. */
export function recordingSpan(): Span | undefined {
  if (!enabled) return undefined;
  const span = trace.getSpan(context.active());
  return span?.isRecording() ? span : undefined;
}

/** The context `ctx` (the active one by default) as W3C headers, or undefined when there is none. */
export function injectTraceContext(ctx: Context = context.active()): TraceCarrier | undefined {
  if (!enabled) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier, defaultTextMapSetter);
  return carrier.traceparent
    ? { traceparent: carrier.traceparent, ...(carrier.tracestate ? { tracestate: carrier.tracestate } : {}) }
    : undefined;
}

/** The remote context of W3C headers (ignored when malformed) on top of `base` (no parent by default). */
export function extractTraceContext(carrier: unknown, base: Context = ROOT_CONTEXT): Context {
  if (!enabled || typeof carrier !== 'object' || carrier === null) return base;
  const { traceparent, tracestate } = carrier as { traceparent?: unknown; tracestate?: unknown };
  if (typeof traceparent !== 'string') return base;
  const headers: Record<string, string> = { traceparent, ...(typeof tracestate === 'string' ? { tracestate } : {}) };
  return propagation.extract(base, headers, defaultTextMapGetter);
}

/** The trace id of a stored traceparent when it was sampled (a trace exists to look at). */
export function sampledTraceId(carrier: unknown): string | undefined {
  const traceparent = (carrier as { traceparent?: unknown } | null | undefined)?.traceparent;
  if (typeof traceparent !== 'string' || !TRACEPARENT_FIELD_PATTERN.test(traceparent)) return undefined;
  const [, traceId, , flags] = traceparent.split('-');
  return (parseInt(flags, 16) & 1) === 1 ? traceId : undefined;
}

/** Ids of the active span for a log line: `{ trace_id, span_id }`, or nothing. */
export function traceLogFields(): { trace_id?: string; span_id?: string } {
  if (!enabled) return {};
  const spanContext = trace.getSpanContext(context.active());
  return spanContext && isSpanContextValid(spanContext) ? { trace_id: spanContext.traceId, span_id: spanContext.spanId } : {};
}

/**
 * Runs `fn` in a new active span (child of `parent`, the active context by default) and ends it
 * when `fn` settles; a throw marks it failed. With tracing off, just `fn()`.
 */
export function inSpan<T>(name: string, options: SpanOptions, fn: (span: Span) => Promise<T>, parent?: Context): Promise<T> {
  if (!enabled) return fn(NO_SPAN);
  const span = tracer.startSpan(name, options, parent ?? context.active());
  return context.with(trace.setSpan(parent ?? context.active(), span), async () => {
    try {
      return await fn(span);
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Marks a span failed with the error's code (a DomainError) or message. */
export function failSpan(span: Span, error: unknown): void {
  const code = (error as { code?: unknown } | undefined)?.code;
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: typeof code === 'string' ? code : error instanceof Error ? error.message : String(error),
  });
  if (typeof code === 'string') span.setAttribute('error.type', code);
}

/**
 * Starts the OpenTelemetry SDK when the OTEL_* variables ask for it (see `tracingSettings`) and
 * returns what flushes and stops it. When they do not, nothing of the SDK is loaded: the API alone
 * stays, whose calls are no-ops. `service` is `service.name` unless OTEL_SERVICE_NAME says otherwise.
 */
export async function startTracing(service: string, env: NodeJS.ProcessEnv = process.env): Promise<() => Promise<void>> {
  const settings = tracingSettings(env);
  if (!settings) return () => Promise.resolve();
  const [{ NodeTracerProvider, BatchSpanProcessor }, { defaultResource, detectResources, envDetector, resourceFromAttributes }, exporter] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-node'),
      import('@opentelemetry/resources'),
      settings.protocol === 'http/json'
        ? import('@opentelemetry/exporter-trace-otlp-http').then((m) => new m.OTLPTraceExporter({ url: settings.url }))
        : import('@opentelemetry/exporter-trace-otlp-proto').then((m) => new m.OTLPTraceExporter({ url: settings.url })),
    ]);
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (envDetector) win over the app's name.
  const resource = defaultResource()
    .merge(resourceFromAttributes({ 'service.name': service }))
    .merge(detectResources({ detectors: [envDetector] }));
  // The sampler (OTEL_TRACES_SAMPLER/_ARG), the batch (OTEL_BSP_*) and the exporter's headers and
  // timeout (OTEL_EXPORTER_OTLP_*) are read from process.env by the SDK itself.
  const provider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(exporter)] });
  provider.register();
  enabled = true;
  return async () => {
    enabled = false;
    await provider.shutdown().catch(() => undefined);
  };
}
