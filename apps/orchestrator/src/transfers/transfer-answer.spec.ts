import { RefusalError } from '@bank/contracts';
import { transferAnswer } from './transfer-answer.js';
import type { TransferRow } from './transfer.row.js';

function row(patch: Partial<TransferRow>): TransferRow {
  return {
    id: '0b6f7a52-5f0e-4a43-9c55-1d2f3a4b5c6d',
    customer_id: 'c1',
    idempotency_key: 'k',
    request_hash: 'h',
    from_account_id: 'a1',
    to_account_id: 'a2',
    to_customer_id: 'c2',
    amount: '500',
    currency: 'EUR',
    reference: null,
    status: 'PENDING',
    step: 'RESERVE_FUNDS',
    failure_code: null,
    steps: [],
    step_started_at: new Date(),
    attempts: 0,
    version: 1,
    responded: false,
    correlation_id: 'corr',
    created_at: new Date(),
    completed_at: null,
    final_event_id: null,
    ...patch,
  };
}

describe('transferAnswer', () => {
  it.each([false, true])('COMPLETED is 201 and PENDING 202 with Location (replayed: %s)', (replayed) => {
    expect(transferAnswer(row({ status: 'COMPLETED', completed_at: new Date() }), replayed)).toMatchObject({ httpStatus: 201 });
    expect(transferAnswer(row({}), replayed)).toMatchObject({
      httpStatus: 202,
      location: '/transfers/0b6f7a52-5f0e-4a43-9c55-1d2f3a4b5c6d',
    });
  });

  it.each(['INSUFFICIENT_FUNDS', 'BALANCE_LIMIT_EXCEEDED', 'CURRENCY_MISMATCH'])(
    'a refusal (%s) is a 422 with transferId, first and replayed',
    (code) => {
      for (const replayed of [false, true]) {
        let thrown: unknown;
        try {
          transferAnswer(row({ status: 'FAILED', failure_code: code }), replayed);
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(RefusalError);
        expect(thrown).toMatchObject({ code, details: { transferId: '0b6f7a52-5f0e-4a43-9c55-1d2f3a4b5c6d' } });
      }
    },
  );

  it('a technical failure answers its first request 503, and a replay its current state (200 FAILED), never the 503 again', () => {
    const failed = row({ status: 'FAILED', failure_code: 'DEPENDENCY_TIMEOUT', completed_at: new Date() });
    expect(() => transferAnswer(failed, false)).toThrow(expect.objectContaining({ code: 'SERVICE_UNAVAILABLE' }) as Error);
    expect(transferAnswer(failed, true)).toMatchObject({ httpStatus: 200, view: { status: 'FAILED', failureCode: 'DEPENDENCY_TIMEOUT' } });
  });
});
