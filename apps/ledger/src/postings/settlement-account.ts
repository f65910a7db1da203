import { createHash } from 'node:crypto';

/**
 * The bank's settlement account of a currency: the other side of every deposit. Same formula as the
 * SQL function ledger.settlement_account(), so code and database agree without a lookup.
 */
export function settlementAccountId(currency: string): string {
  const hex = createHash('md5').update(`settlement:${currency}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
