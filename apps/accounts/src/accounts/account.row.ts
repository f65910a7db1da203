import type { AccountView } from '@bank/contracts';

/** Columns as selected by `ACCOUNT_COLUMNS`; bigint arrives as string from pg. */
export interface AccountRow {
  id: string;
  customer_id: string;
  currency: string;
  balance: string;
  available_balance: string;
  created_at: Date;
}

export const ACCOUNT_COLUMNS = 'id, customer_id, currency, balance, available_balance, created_at';

export function toAccountView(row: AccountRow): AccountView {
  return {
    id: row.id,
    customerId: row.customer_id,
    currency: row.currency,
    balance: Number(row.balance),
    availableBalance: Number(row.available_balance),
    createdAt: row.created_at.toISOString(),
  };
}
