import { DomainError } from '@bank/contracts';

/** What a repeated Idempotency-Key finds: the first request's row. */
export interface IdempotentRow {
  request_hash: string;
  status: string;
  responded: boolean;
}

/**
 * The rules of the IETF idempotency-key draft, applied to a key seen before: a different request
 * under the same key is refused; the same request still being worked on gets 409; otherwise the
 * caller answers from the stored row (the first response again).
 */
export function checkReplay(row: IdempotentRow, requestHash: string): void {
  if (row.request_hash !== requestHash) {
    throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for a different request');
  }
  if (row.status === 'PENDING' && !row.responded) {
    throw new DomainError('IDEMPOTENCY_IN_PROGRESS', 'A request with this Idempotency-Key is still in progress');
  }
}

/**
 * The request's wait on a saga it started: the final row when the saga finishes within `ms`;
 * otherwise the saga goes on in the background, the row is marked as answered (so the key's replay
 * gets 202, not 409) and a PENDING view of it is returned.
 */
export async function awaitSaga<R extends { status: string; responded: boolean }>(
  row: R,
  running: Promise<R>,
  ms: number,
  markResponded: () => Promise<void>,
  onBackgroundError: (error: unknown) => void,
): Promise<R> {
  const finished = await within(running, ms);
  if (finished && finished.status !== 'PENDING') return finished;
  running.catch(onBackgroundError);
  await markResponded();
  return { ...(finished ?? row), status: 'PENDING', responded: true };
}

/** Resolves with the work's result, or with `undefined` when it takes longer than `ms` (the work goes on). */
export async function within<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
