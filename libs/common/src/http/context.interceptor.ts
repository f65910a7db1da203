import { type CallHandler, type ExecutionContext, Injectable, Logger, type NestInterceptor } from '@nestjs/common';
import { Observable, tap } from 'rxjs';
import { RequestContext } from '../logging/request-context.js';
import { rpcHandlerDuration } from '../metrics/metrics.js';

/**
 * Runs every handler inside the request context of its correlation id (taken from the HTTP request,
 * or from the `correlationId` field every command carries), so logs and outgoing calls carry it;
 * logs and times each handled command.
 */
@Injectable()
export class ContextInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Rpc');

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'rpc') {
      const data = context.switchToRpc().getData<{ correlationId?: unknown } | undefined>();
      const pattern = String(context.switchToRpc().getContext<{ getPattern?: () => string }>()?.getPattern?.() ?? context.getHandler().name);
      const correlationId = RequestContext.accept(data?.correlationId);
      const started = process.hrtime.bigint();
      const done = (outcome: 'ok' | 'error', code?: string) => {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        rpcHandlerDuration.observe({ pattern, outcome }, seconds);
        RequestContext.run({ correlationId }, () =>
          this.logger.log({ msg: 'command handled', pattern, outcome, ...(code ? { errorCode: code } : {}), ms: Math.round(seconds * 1e4) / 10 }),
        );
      };
      return this.within(correlationId, next).pipe(
        tap({ next: () => done('ok'), error: (e: unknown) => done('error', (e as { code?: string })?.code) }),
      );
    }
    const request = context.switchToHttp().getRequest<{ correlationId?: string }>();
    return this.within(RequestContext.accept(request.correlationId), next);
  }

  private within(correlationId: string, next: CallHandler): Observable<unknown> {
    return new Observable((subscriber) => RequestContext.run({ correlationId }, () => next.handle().subscribe(subscriber)));
  }
}
