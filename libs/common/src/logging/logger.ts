import type { LoggerService } from '@nestjs/common';
import { pino, type Logger } from 'pino';
import { traceLogFields } from '../tracing/tracing.js';
import { RequestContext } from './request-context.js';

/** Paths that must never reach a log line, whatever an object carries. */
export const REDACTED_PATHS = [
  'code',
  '*.code',
  'otp',
  '*.otp',
  // Useless without notifications' key today; kept out of logs so a key leaked later opens no old log.
  'sealedCode',
  '*.sealedCode',
  'accessToken',
  '*.accessToken',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'password',
  '*.password',
  'privateKey',
  '*.privateKey',
];

/** How long a log line may wait in the buffer before it is written. */
const LOG_FLUSH_MS = 200;

/**
 * Lines are buffered and written in batches (one write per ~8 KB or 200 ms, not one per line: under
 * load a write per line costs more than the line). Whatever is buffered is written at exit; only a
 * kill -9 can lose the last 200 ms.
 */
let shared: ReturnType<typeof pino.destination> | undefined;
function bufferedStdout(): ReturnType<typeof pino.destination> {
  if (shared) return shared;
  const destination = pino.destination({ dest: 1, sync: false, minLength: 8 * 1024 });
  setInterval(() => {
    try {
      destination.flush();
    } catch {
      // destroyed at shutdown: nothing left to flush.
    }
  }, LOG_FLUSH_MS).unref();
  process.once('exit', () => {
    try {
      destination.flushSync();
    } catch {
      // stdout already gone: nothing left to write to.
    }
  });
  shared = destination;
  return destination;
}

export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info', destination = bufferedStdout()): Logger {
  return pino(
    {
      level,
      base: { service },
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
      // trace_id/span_id of the active span (tracing on), so a log line leads to its trace and back.
      mixin() {
        const correlationId = RequestContext.correlationId();
        const ids = traceLogFields();
        return correlationId ? { correlationId, ...ids } : ids;
      },
    },
    destination,
  );
}

/** Nest's Logger API on top of pino: `new Logger(MyClass.name)` lines get the class as context. */
export class PinoLoggerService implements LoggerService {
  constructor(readonly pino: Logger) {}

  log(message: unknown, context?: string): void {
    this.write('info', message, context);
  }
  error(message: unknown, stackOrContext?: string, context?: string): void {
    const ctx = context ?? (stackOrContext && !stackOrContext.includes('\n') ? stackOrContext : undefined);
    const stack = stackOrContext?.includes('\n') ? stackOrContext : undefined;
    this.write('error', message, ctx, stack);
  }
  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.write('trace', message, context);
  }
  fatal(message: unknown, context?: string): void {
    this.write('fatal', message, context);
  }

  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal', message: unknown, context?: string, stack?: string): void {
    if (!this.pino.isLevelEnabled(level)) return;
    if (message instanceof Error) {
      this.pino[level]({ context, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.pino[level]({ context, ...(message as Record<string, unknown>), ...(stack ? { stack } : {}) });
    } else {
      this.pino[level]({ context, ...(stack ? { stack } : {}) }, String(message));
    }
  }
}

/**
 * What goes under `err` in the log line of an expected failure (a dependency down, a retry): the
 * message, without the stack that pino's `err` serializer would add for an Error object.
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
