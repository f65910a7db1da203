// What a transfer looks like from outside: GET /transfers/:id and the page (apps/orchestrator/web),
// which imports these as types. So it imports nothing, and the page's tsconfig can check it too.

/** Steps of the transfer saga, forward then compensating. */
export type TransferStep = 'RESERVE_FUNDS' | 'POST_LEDGER' | 'COMMIT_FUNDS' | 'REVERSE_LEDGER' | 'RELEASE_FUNDS' | 'DONE';
export type TransferStatus = 'PENDING' | 'COMPLETED' | 'FAILED' | 'NEEDS_ATTENTION';
export type StepStatus = 'STARTED' | 'SUCCEEDED' | 'FAILED' | 'RETRYING';

export interface StepRecord {
  name: Exclude<TransferStep, 'DONE'>;
  status: StepStatus;
  at: string;
  code?: string;
}

/** The public Transfer resource. */
export interface TransferView {
  id: string;
  status: TransferStatus;
  fromAccountId: string;
  toAccountId: string;
  amount: number;
  currency: string;
  reference: string | null;
  failureCode?: string;
  createdAt: string;
  completedAt?: string;
  steps: StepRecord[];
}

/** One moment in a transfer's life, from either half of the system. */
export interface TimelineEntry {
  at: string;
  /** 'saga' (orchestrated steps) or the subscriber that recorded or handled an event (choreographed). */
  source: string;
  what: string;
  eventId?: string;
  /** A subscriber's entry: after how many attempts it handled the event (absent once its inbox row is pruned); with a state, attempts so far. */
  attempts?: number;
  /** A subscriber that failed on the event and has not handled it: in a retry queue, or parked in its DLQ. */
  state?: 'retrying' | 'parked';
  /** With a state: the last failure's code, never its message. */
  errorCode?: string;
  /** Parked: why, without the error's message. */
  reason?: string;
}

export interface TransferTimeline {
  entries: TimelineEntry[];
  /**
   * False when a service asked (audit; notifications and analytics once the transfer published its
   * final event) did not answer in time: its part is then missing, not empty. "Not handled yet" is an answer.
   */
  complete: boolean;
  /** The trace of the request that started the transfer, when tracing sampled it. */
  traceId?: string;
  /** That trace in the trace UI (TRACE_UI_URL). */
  traceUrl?: string;
}
