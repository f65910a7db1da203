import type { TransferCompletedData, TransferFailedData } from '@bank/contracts';
import { formatMoney } from './money-format.js';

/** SMS to the receiving customer of a completed transfer. */
export function transferReceivedBody(data: TransferCompletedData): string {
  const reference = data.reference ? ` Reference: "${data.reference}".` : '';
  return `You received ${formatMoney(data.amount, data.currency)}.${reference} Transfer ${data.transferId}.`;
}

/** SMS to the sender of a failed transfer. */
export function transferFailedBody(data: TransferFailedData): string {
  return `Your transfer of ${formatMoney(data.amount, data.currency)} could not be completed (${data.failureCode}). Transfer ${data.transferId}.`;
}

/** One notice per transfer outcome, whichever event (or redelivery) carries it. */
export const transferNoticeKey = (kind: 'received' | 'failed', transferId: string) => `notice:transfer-${kind}:${transferId.toLowerCase()}`;
