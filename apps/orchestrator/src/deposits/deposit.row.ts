export type DepositStep = 'POST_LEDGER' | 'CREDIT_ACCOUNT' | 'DONE';
export type DepositStatus = 'PENDING' | 'COMPLETED' | 'FAILED';

export interface DepositRow {
  id: string;
  customer_id: string;
  /** Null once cleared after IDEMPOTENCY_RETENTION_HOURS: the key may then be used again. */
  idempotency_key: string | null;
  request_hash: string;
  account_id: string;
  amount: string;
  currency: string;
  status: DepositStatus;
  step: DepositStep;
  /** Why a FAILED deposit was refused (e.g. BALANCE_LIMIT_EXCEEDED); null otherwise. */
  failure_code: string | null;
  attempts: number;
  version: number;
  responded: boolean;
  correlation_id: string;
  created_at: Date;
  completed_at: Date | null;
}

/** The public Deposit resource. */
export interface DepositView {
  id: string;
  accountId: string;
  amount: number;
  currency: string;
  status: DepositStatus;
  failureCode?: string;
}

export function toDepositView(row: DepositRow): DepositView {
  return {
    id: row.id,
    accountId: row.account_id,
    amount: Number(row.amount),
    currency: row.currency,
    status: row.status,
    ...(row.failure_code ? { failureCode: row.failure_code } : {}),
  };
}
