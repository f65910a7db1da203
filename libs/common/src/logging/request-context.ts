import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { CORRELATION_ID_PATTERN } from '@bank/contracts';

export interface RequestContextData {
  correlationId: string;
  causationId?: string;
}

const storage = new AsyncLocalStorage<RequestContextData>();

/** The correlation id of whatever request, command or event the current code is handling. */
export const RequestContext = {
  run<T>(data: RequestContextData, fn: () => T): T {
    return storage.run(data, fn);
  },
  get(): RequestContextData | undefined {
    return storage.getStore();
  },
  correlationId(): string | undefined {
    return storage.getStore()?.correlationId;
  },
  /** An incoming id when it is well-formed, otherwise a fresh one. */
  accept(candidate: unknown): string {
    return typeof candidate === 'string' && CORRELATION_ID_PATTERN.test(candidate) ? candidate : randomUUID();
  },
};
