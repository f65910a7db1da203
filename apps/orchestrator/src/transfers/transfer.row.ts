import type { TraceCarrier } from '@bank/common';
import type { StepRecord, TransferStatus, TransferStep, TransferView } from './transfer.view.js';

// The saga and the repositories import the view types from here, with the row they come from.
export type { StepRecord, StepStatus, TransferStatus, TransferStep, TransferView } from './transfer.view.js';

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
