import type { TraceCarrier } from '@bank/common';

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

export interface TransferRow {
  id: string;
  customer_id: string;
  /** Null once cleared after IDEMPOTENCY_RETENTION_HOURS: the key may then be used again. */
  idempotency_key: string | null;
  request_hash: string;
  from_account_id: string;
  to_account_id: string;
  to_customer_id: string | null;
  amount: string;
  currency: string;
  reference: string | null;
  status: TransferStatus;
  step: TransferStep;
  failure_code: string | null;
  steps: StepRecord[];
  step_started_at: Date;
  attempts: number;
  version: number;
  responded: boolean;
  correlation_id: string;
  created_at: Date;
  completed_at: Date | null;
  /** The event the final state published (none for NEEDS_ATTENTION): the timeline asks the subscribers about it. */
  final_event_id: string | null;
  /** W3C trace context of the request that started the saga (tracing on): a resumed step joins that trace. */
  trace_context?: TraceCarrier | null;
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

export function toTransferView(row: TransferRow): TransferView {
  return {
    id: row.id,
    status: row.status,
    fromAccountId: row.from_account_id,
    toAccountId: row.to_account_id,
    amount: Number(row.amount),
    currency: row.currency,
    reference: row.reference,
    ...(row.failure_code ? { failureCode: row.failure_code } : {}),
    createdAt: row.created_at.toISOString(),
    ...(row.completed_at ? { completedAt: row.completed_at.toISOString() } : {}),
    steps: row.steps,
  };
}
