import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Observable, throwError } from 'rxjs';
import { DomainError, type RpcErrorPayload } from '@bank/contracts';
import { errorMessage } from '../logging/logger.js';
import { toProblem } from './problem.js';

/**
 * The one place errors are translated: into problem+json at the HTTP edge, into
 * {code,message,details} across TCP. Unknown errors are logged and leave as INTERNAL, without internals.
 */
@Catch()
export class ErrorMappingFilter implements ExceptionFilter {
  private readonly logger = new Logger(ErrorMappingFilter.name);

  catch(error: unknown, host: ArgumentsHost): Observable<RpcErrorPayload> | void {
    if (host.getType() === 'rpc') return this.toRpc(error);
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const problem = toProblem(error, (request.url.split('?')[0] ?? request.url) || '/');
    // Unexpected failures only: a 503 from /health or a dependency being down is an answer, not a bug.
    if (problem.code === 'INTERNAL') this.logger.error(error instanceof Error ? error : String(error));
    else if (problem.status === 503 && !(error instanceof DomainError))
      this.logger.warn({ msg: 'dependency unavailable', err: errorMessage(error) });
    // A refusal that knows when it will pass (a rate limit) says so in the standard header too (RFC 9110 10.2.3).
    if (typeof problem.retryAfterSeconds === 'number') void reply.header('retry-after', String(problem.retryAfterSeconds));
    void reply.status(problem.status).header('content-type', 'application/problem+json').send(problem);
  }

  private toRpc(error: unknown): Observable<RpcErrorPayload> {
    if (error instanceof DomainError) {
      const payload: RpcErrorPayload = { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) };
      return throwError(() => payload);
    }
    const { code } = toProblem(error, '');
    if (code === 'SERVICE_UNAVAILABLE') {
      this.logger.warn({ msg: 'dependency unavailable', err: errorMessage(error) });
      return throwError(() => ({ code, message: 'A dependency is unavailable; try again' }));
    }
    this.logger.error(error instanceof Error ? error : String(error));
    return throwError(() => ({ code: 'INTERNAL' as const, message: 'Internal error' }));
  }
}
