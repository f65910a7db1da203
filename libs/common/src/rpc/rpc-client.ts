import { Logger } from '@nestjs/common';
import { context, SpanKind, trace, type Span } from '@opentelemetry/api';
import type { ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout, TimeoutError } from 'rxjs';
import { DomainError, isErrorCode, isTransient, type RpcErrorPayload } from '@bank/contracts';
import { RequestContext } from '../logging/request-context.js';
import { backoffDelay, type BackoffPolicy } from '../retry/backoff.js';
import { rpcClientDuration, rpcClientRetries } from '../metrics/metrics.js';
import { failSpan, injectTraceContext, isTracing, tracer } from '../tracing/tracing.js';

export interface RpcCallOptions {
  /** Per attempt. */
  timeoutMs?: number;
  /** Extra attempts after the first, for transient failures only. */
  retries?: number;
  baseBackoffMs?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The pause after a failed attempt: at most 2 s, jittered down to half of it. */
const retryPause = (baseBackoffMs: number): BackoffPolicy => ({ initialMs: baseBackoffMs, maxMs: 2_000, jitter: 0.5 });

/** The longest one `send` can take: every attempt timing out, with the longest pause between them. */
export function rpcCallBudgetMs({ timeoutMs, retries, baseBackoffMs }: Required<RpcCallOptions>): number {
  let pauses = 0;
  for (let attempt = 0; attempt < retries; attempt++) pauses += backoffDelay(attempt, retryPause(baseBackoffMs), () => 0);
  return timeoutMs * (retries + 1) + pauses;
}

/**
 * A synchronous call to another service: timeout on every attempt, retries with exponential
 * backoff and jitter for transient failures only, the caller's correlation id attached, and the
 * remote DomainError rebuilt so callers handle one error type. Commands must be idempotent.
 */
export class RpcClient {
  private readonly logger: Logger;

  constructor(
    private readonly proxy: ClientProxy,
    readonly target: string,
    private readonly defaults: Required<RpcCallOptions>,
  ) {
    this.logger = new Logger(`RpcClient:${target}`);
  }

  async send<TReply>(pattern: string, payload: object, options: RpcCallOptions = {}): Promise<TReply> {
    const { timeoutMs, retries, baseBackoffMs } = { ...this.defaults, ...options };
    const correlationId = RequestContext.correlationId();
    // One CLIENT span per command (its retries are events of it); its context travels in the payload
    // beside the correlation id, so the server's span is its child.
    const span = isTracing() ? this.startSpan(pattern) : undefined;
    const carried = span ? injectTraceContext(trace.setSpan(context.active(), span)) : undefined;
    const extra = {
      ...(correlationId && !('correlationId' in payload) ? { correlationId } : {}),
      ...(carried && !('traceparent' in payload) ? carried : {}),
    };
    const data = correlationId || carried ? { ...payload, ...extra } : payload;
    const started = process.hrtime.bigint();
    const observe = (outcome: string) =>
      rpcClientDuration.observe({ target: this.target, pattern, outcome }, Number(process.hrtime.bigint() - started) / 1e9);
    for (let attempt = 0; ; attempt++) {
      try {
        const reply = await firstValueFrom(this.proxy.send<TReply>(pattern, data).pipe(timeout(timeoutMs)));
        observe('ok');
        span?.end();
        return reply;
      } catch (raw) {
        const error = this.toDomainError(raw, pattern, timeoutMs);
        if (!isTransient(error) || attempt >= retries) {
          observe(isTransient(error) ? 'unavailable' : 'refused');
          if (span) this.endFailed(span, error);
          throw error;
        }
        const delay = backoffDelay(attempt, retryPause(baseBackoffMs));
        span?.addEvent('retry', { 'rpc.attempt': attempt + 1, 'error.type': error.code, 'retry.delay_ms': delay });
        rpcClientRetries.inc({ target: this.target, pattern });
        this.logger.warn({ msg: 'transient failure, retrying', pattern, attempt: attempt + 1, errorCode: error.code, delayMs: delay });
        await sleep(delay);
      }
    }
  }

  private startSpan(pattern: string): Span {
    return tracer.startSpan(pattern, {
      kind: SpanKind.CLIENT,
      attributes: { 'rpc.system': 'nest_tcp', 'rpc.method': pattern, 'server.address': this.target },
    });
  }

  /** A refusal is an answer (its code on the span); a failure to get one marks the span failed. */
  private endFailed(span: Span, error: DomainError): void {
    if (isTransient(error)) failSpan(span, error);
    else span.setAttribute('bank.error_code', error.code);
    span.end();
  }

  private toDomainError(raw: unknown, pattern: string, timeoutMs: number): DomainError {
    if (raw instanceof DomainError) return raw;
    if (raw instanceof TimeoutError) {
      return new DomainError('DEPENDENCY_TIMEOUT', `${this.target} did not answer ${pattern} within ${timeoutMs} ms`);
    }
    const payload = raw as Partial<RpcErrorPayload> | undefined;
    if (payload && isErrorCode(payload.code)) {
      return new DomainError(payload.code, payload.message, payload.details);
    }
    const message = raw instanceof Error ? raw.message : String(raw);
    return new DomainError('SERVICE_UNAVAILABLE', `${this.target} unavailable: ${message}`);
  }
}
