/** What the standard OTEL_* variables ask for; `undefined` from `tracingSettings` means tracing is off. */
export interface TracingSettings {
  /** OTLP over HTTP: JSON or protobuf bodies. gRPC would need @grpc/grpc-js in every app: not offered. */
  protocol: 'http/json' | 'http/protobuf';
  /** Where spans go: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as it is, or OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/traces`. */
  url: string;
}

const SAMPLERS = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'];
const PROTOCOLS = ['http/json', 'http/protobuf'] as const;

const value = (env: NodeJS.ProcessEnv, name: string): string | undefined => {
  const raw = env[name]?.trim();
  return raw ? raw : undefined;
};

/**
 * Reads the standard OpenTelemetry variables (and nothing else). Tracing is on only when an OTLP
 * endpoint is set, OTEL_SDK_DISABLED is not `true` and OTEL_TRACES_EXPORTER is unset or `otlp`:
 * with no exporter there is nobody to send spans to, so the SDK is not even loaded. A value this
 * system cannot honour (a gRPC exporter, an unknown sampler, a ratio outside [0, 1]) stops the boot,
 * like any other invalid setting, instead of silently tracing differently than asked.
 */
export function tracingSettings(env: NodeJS.ProcessEnv = process.env): TracingSettings | undefined {
  if (value(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return undefined;
  const exporter = value(env, 'OTEL_TRACES_EXPORTER')?.toLowerCase();
  if (exporter === 'none') return undefined;
  if (exporter !== undefined && exporter !== 'otlp') throw new Error(`OTEL_TRACES_EXPORTER=${exporter}: only otlp (or none) is supported`);
  const traces = value(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const base = value(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  const url = traces ?? (base === undefined ? undefined : `${base.replace(/\/+$/, '')}/v1/traces`);
  if (url === undefined) return undefined;
  if (!/^https?:\/\/[^/]/.test(url)) throw new Error(`OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s):// URL, got ${traces ?? base}`);
  const protocol = value(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? value(env, 'OTEL_EXPORTER_OTLP_PROTOCOL') ?? 'http/protobuf';
  if (!(PROTOCOLS as readonly string[]).includes(protocol)) {
    throw new Error(`OTEL_EXPORTER_OTLP_PROTOCOL=${protocol}: use http/protobuf (the default) or http/json`);
  }
  const sampler = value(env, 'OTEL_TRACES_SAMPLER')?.toLowerCase();
  if (sampler !== undefined && !SAMPLERS.includes(sampler))
    throw new Error(`OTEL_TRACES_SAMPLER=${sampler}: use one of ${SAMPLERS.join(', ')}`);
  const ratio = value(env, 'OTEL_TRACES_SAMPLER_ARG');
  if (ratio !== undefined && sampler?.endsWith('traceidratio')) {
    const n = Number(ratio);
    if (!Number.isFinite(n) || n < 0 || n > 1) throw new Error(`OTEL_TRACES_SAMPLER_ARG=${ratio}: a ratio between 0 and 1`);
  }
  return { protocol: protocol as TracingSettings['protocol'], url };
}
