import { Logger, type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { ErrorMappingFilter } from '../errors/error-mapping.filter.js';
import { createLogger, PinoLoggerService } from '../logging/logger.js';
import { RequestContext } from '../logging/request-context.js';
import { httpRequestDuration, initMetrics } from '../metrics/metrics.js';
import { createValidationPipe } from '../validation/validation.pipe.js';
import { TcpServer } from '../rpc/tcp-server.js';
import { ContextInterceptor } from './context.interceptor.js';

export const CORRELATION_HEADER = 'x-correlation-id';

export interface BootstrapOptions {
  service: string;
  module: Type | DynamicModule;
  httpPort: number;
  /** TCP port of the Nest microservice, for apps that take commands. */
  tcpPort?: number;
  host?: string;
  logLevel?: string;
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
 */
export async function bootstrap(options: BootstrapOptions): Promise<NestFastifyApplication> {
  const pino = createLogger(options.service, options.logLevel);
  initMetrics(options.service);
  // A long id in a path must reach validation (400 problem), not Fastify's own 414.
  const adapter = new FastifyAdapter({ bodyLimit: 64 * 1024, logger: false, maxParamLength: 4096 });
  const app = await NestFactory.create<NestFastifyApplication>(options.module, adapter, {
    logger: new PinoLoggerService(pino),
    abortOnError: false,
  });
  installRequestHooks(app, pino);
  app.useGlobalFilters(new ErrorMappingFilter());
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalInterceptors(new ContextInterceptor());
  app.enableShutdownHooks();
  if (options.tcpPort !== undefined) {
    app.connectMicroservice({ strategy: new TcpServer({ host: options.host ?? '0.0.0.0', port: options.tcpPort }) }, { inheritAppConfig: true });
    await app.startAllMicroservices();
  }
  await options.configure?.(app);
  await app.listen({ port: options.httpPort, host: options.host ?? '0.0.0.0' });
  new Logger('Bootstrap').log({ msg: `${options.service} listening`, http: options.httpPort, ...(options.tcpPort !== undefined ? { tcp: options.tcpPort } : {}) });
  return app;
}

function installRequestHooks(app: INestApplication, pino: ReturnType<typeof createLogger>): void {
  const fastify = (app as NestFastifyApplication).getHttpAdapter().getInstance();
  fastify.decorateRequest('correlationId', '');
  fastify.addHook('onRequest', async (request, reply) => {
    request.correlationId = RequestContext.accept(request.headers[CORRELATION_HEADER]);
    void reply.header(CORRELATION_HEADER, request.correlationId);
  });
  fastify.addHook('onResponse', async (request: FastifyRequest, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    httpRequestDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    if (route === '/health' || route === '/metrics') return;
    pino.info(
      { correlationId: request.correlationId, method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 },
      'request handled',
    );
  });
}
