import { DomainError, isErrorCode, RefusalError, REQUEST_REFUSAL_CODES } from '@bank/contracts';
import { toTransferView, type TransferRow, type TransferView } from './transfer.row.js';

export interface TransferAnswer {
  httpStatus: 200 | 201 | 202;
  view: TransferView;
  location?: string;
}

/**
 * POST /transfers' answer, a function of the saga's state, so a replayed key gets the first answer
 * again: 201 COMPLETED, 202 PENDING, 422 for a refusal. One exception: a transfer that failed for a
 * technical reason (and was compensated: nothing moved) answers its first request 503, "try again";
 * a replay of the key is not answered 503 again (a transient error is never replayed, or the client
 * retrying as told would see it forever) but gets the transfer's current state: 200, FAILED, failureCode.
 */
export function transferAnswer(row: TransferRow, replayed: boolean): TransferAnswer {
  const view = toTransferView(row);
  switch (row.status) {
    case 'COMPLETED':
      return { httpStatus: 201, view };
    case 'FAILED': {
      const code = row.failure_code && isErrorCode(row.failure_code) ? row.failure_code : 'INTERNAL';
      if (REQUEST_REFUSAL_CODES.has(code)) throw new RefusalError(code, undefined, { transferId: row.id });
      if (replayed) return { httpStatus: 200, view };
      throw new DomainError('SERVICE_UNAVAILABLE', `Transfer failed (${code}) and was compensated`, { transferId: row.id });
    }
    default:
      return { httpStatus: 202, view, location: `/transfers/${row.id}` };
  }
}
