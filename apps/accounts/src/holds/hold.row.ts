export type HoldStatus = 'RESERVED' | 'CAPTURED' | 'RELEASED';

export interface HoldRow {
  transfer_id: string;
  account_id: string | null;
  to_account_id: string | null;
  amount: string | null;
  currency: string | null;
  status: HoldStatus;
}
