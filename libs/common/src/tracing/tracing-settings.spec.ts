import { tracingSettings } from './tracing-settings.js';

describe('tracingSettings (the standard OTEL_* variables)', () => {
  const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };

  it('is off without an endpoint, whatever else is set: no exporter, no SDK', () => {
    expect(tracingSettings({})).toBeUndefined();
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ', OTEL_TRACES_SAMPLER: 'always_on' })).toBeUndefined();
  });

  it('is off when OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none, even with an endpoint', () => {
    expect(tracingSettings({ ...endpoint, OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
    expect(tracingSettings({ ...endpoint, OTEL_SDK_DISABLED: 'TRUE' })).toBeUndefined();
    expect(tracingSettings({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
    expect(tracingSettings({ ...endpoint, OTEL_SDK_DISABLED: 'false' })).toBeDefined();
  });

  it('sends to <endpoint>/v1/traces, or to the traces endpoint as it is; protobuf unless http/json is asked for', () => {
    expect(tracingSettings(endpoint)).toEqual({ url: 'http://collector:4318/v1/traces', protocol: 'http/protobuf' });
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toEqual({
      url: 'http://collector:4318/v1/traces',
      protocol: 'http/json',
    });
    expect(
      tracingSettings({
        ...endpoint,
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://other/x',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      }),
    ).toEqual({ url: 'https://other/x', protocol: 'http/json' });
  });

  it('refuses at boot what it cannot honour, instead of tracing otherwise than asked', () => {
    expect(() => tracingSettings({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(/http\/protobuf/);
    expect(() => tracingSettings({ ...endpoint, OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(/otlp/);
    expect(() => tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(/http/);
    expect(() => tracingSettings({ ...endpoint, OTEL_TRACES_SAMPLER: 'jaeger_remote' })).toThrow(/parentbased_traceidratio/);
    expect(() => tracingSettings({ ...endpoint, OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '1.5' })).toThrow(
      /between 0 and 1/,
    );
    expect(() => tracingSettings({ ...endpoint, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: 'x' })).toThrow();
  });

  it('takes every standard sampler and a ratio in [0, 1]', () => {
    for (const sampler of ['always_on', 'always_off', 'parentbased_always_on', 'parentbased_always_off', 'traceidratio'])
      expect(tracingSettings({ ...endpoint, OTEL_TRACES_SAMPLER: sampler })).toBeDefined();
    expect(tracingSettings({ ...endpoint, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' })).toBeDefined();
  });
});
