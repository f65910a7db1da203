import { Logger, type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory, Reflector } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { ServiceIdentity } from '@bank/contracts';
import { ErrorMappingFilter } from '../errors/error-mapping.filter.js';
import { createLogger, PinoLoggerService } from '../logging/logger.js';
import { RequestContext } from '../logging/request-context.js';
import { httpRequestDuration, initMetrics } from '../metrics/metrics.js';
import { createValidationPipe } from '../validation/validation.pipe.js';
import { TcpServer } from '../rpc/tcp-server.js';
import { CallerGuard } from '../tls/caller.guard.js';
import { httpsServerTls, loadTlsIdentity, tcpServerTls } from '../tls/tls-identity.js';
import { extractTraceContext, isTracing, startTracing, tracer } from '../tracing/tracing.js';
import { ContextInterceptor } from './context.interceptor.js';

export const CORRELATION_HEADER = 'x-correlation-id';

export interface BootstrapOptions {
  /** The app's name, which is also its TLS identity. */
  service: ServiceIdentity;
  module: Type | DynamicModule;
  httpPort: number;
  /** TCP port of the Nest microservice, for apps that take commands. */
  tcpPort?: number;
  /** Address of every listener (BIND_HOST): loopback by default, 0.0.0.0 in containers. */
  bindHost: string;
  /** Where ca.crt and <service>.crt/.key are (CERTS_DIR). */
  certsDir: string;
  /**
   * The orchestrator's public port: plain HTTP with its own authentication (access tokens); TLS
   * there belongs to whatever fronts it. Every other HTTP port is internal: HTTPS, CallerGuard.
   */
  publicHttp?: boolean;
  /** Longest frame the TCP port accepts (TCP_MAX_BUFFER_SIZE); DEFAULT_TCP_MAX_BUFFER_SIZE when unset. */
  tcpMaxBufferSize?: number;
  logLevel?: string;
  /** Proxies whose X-Forwarded-For sets request.ip (addresses, CIDRs); none by default, so the header is ignored. */
  trustProxy?: string[];
  /** Called before listen, e.g. to mount OpenAPI. */
  configure?: (app: NestFastifyApplication) => void | Promise<void>;
}

declare module 'fastify' {
  interface FastifyRequest {
    correlationId: string;
  }
}

/**
 * Boots an app the same way everywhere: Fastify, pino logs with the correlation id, strict
 * validation, one error mapping, metrics, graceful shutdown, and (optionally) the TCP transport.
 * Internal ports speak TLS with the app's own certificate: the TCP port requires a client
 * certificate and checks each command's caller, the HTTP port checks each route's (CallerGuard).
 */
export async function bootstrap(options: BootstrapOptions): Promise<NestFastifyApplication> {
  // First: every span after this point reaches the exporter (when the OTEL_* variables ask for one).
  const stopTracing = await startTracing(options.service);
  const pino = createLogger(options.service, options.logLevel);
  initMetrics(options.service);
  const identity = loadTlsIdentity(options.certsDir, options.service);
  // A long id in a path must reach validation (400 problem), not Fastify's own 414. Router options
  // go under routerOptions: at the top level Fastify 5 warns FSTDEP022 at every start.
  const adapter = new FastifyAdapter({
    bodyLimit: 64 * 1024,
    logger: false,
    routerOptions: { maxParamLength: 4096 },
    ...(options.publicHttp ? {} : { https: httpsServerTls(identity) }),
    ...(options.trustProxy?.length ? { trustProxy: options.trustProxy } : {}),
  });
  const app = await NestFactory.create<NestFastifyApplication>(options.module, adapter, {
    logger: new PinoLoggerService(pino),
    abortOnError: false,
  });
  const spans = new WeakMap<IncomingMessage, Span>();
  if (isTracing()) traceHttpRequests(app.getHttpServer(), spans);
  installRequestHooks(app, pino, spans);
  // After the modules' own shutdown (the relay's and subscribers' last spans), before the process ends.
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onClose', async () => stopTracing());
  app.useGlobalFilters(new ErrorMappingFilter());
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalInterceptors(new ContextInterceptor());
  if (!options.publicHttp) app.useGlobalGuards(new CallerGuard(app.get(Reflector)));
  app.enableShutdownHooks();
  if (options.tcpPort !== undefined) {
    const tcp = new TcpServer({
      host: options.bindHost,
      port: options.tcpPort,
      tlsOptions: tcpServerTls(identity),
      maxBufferSize: options.tcpMaxBufferSize,
    });
    app.connectMicroservice({ strategy: tcp }, { inheritAppConfig: true });
    await app.startAllMicroservices();
  }
  await options.configure?.(app);
  await app.listen({ port: options.httpPort, host: options.bindHost });
  new Logger('Bootstrap').log({
    msg: `${options.service} listening`,
    host: options.bindHost,
    http: options.httpPort,
    ...(options.tcpPort !== undefined ? { tcp: options.tcpPort } : {}),
  });
  return app;
}

/** Requests that are not worth a trace: probes and scrapes, many a minute. */
const UNTRACED_PATHS = /^\/(health|metrics)(\/|\?|$)/;

/**
 * One SERVER span per HTTP request, around everything Fastify and Nest do for it (hooks, guards,
 * handler), child of the caller's `traceparent` when it sent one. Wrapping the server's own request
 * listener is the one place that sees the whole request; Fastify's hooks cannot make a context active
 * for what follows them. The route name is known only once routed: the onResponse hook sets it.
 */
function traceHttpRequests(server: Server, spans: WeakMap<IncomingMessage, Span>): void {
  const listeners = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const dispatch = () => listeners.forEach((listener) => listener.call(server, req, res));
    if (UNTRACED_PATHS.test(req.url ?? '')) return dispatch();
    const parent = extractTraceContext({ traceparent: req.headers.traceparent, tracestate: req.headers.tracestate });
    const method = req.method ?? 'HTTP';
    const span = tracer.startSpan(method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': method } }, parent);
    spans.set(req, span);
    res.once('close', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), dispatch);
  });
}

function installRequestHooks(app: INestApplication, pino: ReturnType<typeof createLogger>, spans: WeakMap<IncomingMessage, Span>): void {
  const fastify = (app as NestFastifyApplication).getHttpAdapter().getInstance();
  fastify.decorateRequest('correlationId', '');
  fastify.addHook('onRequest', async (request, reply) => {
    request.correlationId = RequestContext.accept(request.headers[CORRELATION_HEADER]);
    void reply.header(CORRELATION_HEADER, request.correlationId);
  });
  fastify.addHook('onResponse', async (request: FastifyRequest, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const span = spans.get(request.raw);
    span?.updateName(`${request.method} ${route}`);
    span?.setAttribute('http.route', route);
    httpRequestDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    if (route === '/health' || route === '/metrics') return;
    pino.info(
      {
        correlationId: request.correlationId,
        ...(span ? { trace_id: span.spanContext().traceId, span_id: span.spanContext().spanId } : {}),
        method: request.method,
        route,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request handled',
    );
  });
}
