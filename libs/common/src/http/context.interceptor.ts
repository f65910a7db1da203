import { type CallHandler, type ExecutionContext, Injectable, Logger, type NestInterceptor } from '@nestjs/common';
import { context as otelContext, SpanKind, trace, type Context } from '@opentelemetry/api';
import { Observable, tap } from 'rxjs';
import { isTransientCode } from '@bank/contracts';
import { RequestContext } from '../logging/request-context.js';
import { rpcHandlerDuration } from '../metrics/metrics.js';
import { extractTraceContext, failSpan, isTracing, tracer } from '../tracing/tracing.js';

/**
 * Runs every handler inside the request context of its correlation id (taken from the HTTP request,
 * or from the `correlationId` field every command carries), so logs and outgoing calls carry it;
 * logs and times each handled command. With tracing on, each command is a SERVER span named by its
 * pattern, child of the caller's span (the `traceparent` the command carries); validation and the
 * handler run inside it.
 */
@Injectable()
export class ContextInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Rpc');

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'rpc') {
      const data = context.switchToRpc().getData<{ correlationId?: unknown; traceparent?: unknown; tracestate?: unknown } | undefined>();
      const pattern = String(
        context.switchToRpc().getContext<{ getPattern?: () => string }>()?.getPattern?.() ?? context.getHandler().name,
      );
      const correlationId = RequestContext.accept(data?.correlationId);
      const started = process.hrtime.bigint();
      const span = isTracing()
        ? tracer.startSpan(
            pattern,
            { kind: SpanKind.SERVER, attributes: { 'rpc.system': 'nest_tcp', 'rpc.method': pattern } },
            extractTraceContext(data),
          )
        : undefined;
      const traced = span ? trace.setSpan(otelContext.active(), span) : undefined;
      const done = (outcome: 'ok' | 'error', code?: string) => {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        rpcHandlerDuration.observe({ pattern, outcome }, seconds);
        const log = () =>
          RequestContext.run({ correlationId }, () =>
            this.logger.log({
              msg: 'command handled',
              pattern,
              outcome,
              ...(code ? { errorCode: code } : {}),
              ms: Math.round(seconds * 1e4) / 10,
            }),
          );
        if (traced) otelContext.with(traced, log);
        else log();
        if (!span) return;
        // A business refusal is an answer (its code on the span); anything else failed the command.
        if (outcome === 'error' && code !== undefined && !isTransientCode(code)) span.setAttribute('bank.error_code', code);
        else if (outcome === 'error') failSpan(span, { code: code ?? 'INTERNAL' });
        span.end();
      };
      return this.within(correlationId, next, traced).pipe(
        tap({ next: () => done('ok'), error: (e: unknown) => done('error', (e as { code?: string })?.code) }),
      );
    }
    const request = context.switchToHttp().getRequest<{ correlationId?: string }>();
    return this.within(RequestContext.accept(request.correlationId), next);
  }

  private within(correlationId: string, next: CallHandler, traced?: Context): Observable<unknown> {
    return new Observable((subscriber) => {
      const run = () => RequestContext.run({ correlationId }, () => next.handle().subscribe(subscriber));
      return traced ? otelContext.with(traced, run) : run();
    });
  }
}
