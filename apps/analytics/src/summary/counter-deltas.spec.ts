import { createEnvelope, EventTypes } from '@bank/contracts';
import type { InboundEvent } from '@bank/messaging';
import { counterDeltas } from './counter-deltas.js';

const meta = { correlationId: 'c' };
const ids = {
  transferId: '7d4f4a52-4a47-4a4e-9a0e-3b0b9a1f0a11',
  fromAccountId: '0b8e0f0e-5f6e-4f1e-9a53-0c5a3c1d2e01',
  toAccountId: '1c9f1f1f-6f7f-4f2f-8b64-1d6b4d2e3f02',
  fromCustomerId: '2da02020-7080-4030-9c75-2e7c5e3f4003',
  toCustomerId: '3eb13131-8191-4141-ad86-3f8d6f405104',
};
const completed = (amount: number, currency: string) =>
  createEnvelope(EventTypes.TransferCompleted, { ...ids, amount, currency, reference: null }, meta) as unknown as InboundEvent;

describe('counterDeltas', () => {
  it('sums a batch into one delta per counter, volumes per currency', () => {
    const events: InboundEvent[] = [
      completed(1250, 'EUR'),
      completed(50, 'EUR'),
      completed(700, 'USD'),
      createEnvelope(
        EventTypes.TransferFailed,
        { ...ids, amount: 10, currency: 'EUR', failureCode: 'INSUFFICIENT_FUNDS' },
        meta,
      ) as unknown as InboundEvent,
      createEnvelope(
        EventTypes.DepositCompleted,
        { depositId: ids.transferId, accountId: ids.toAccountId, customerId: ids.toCustomerId, amount: 10_000, currency: 'EUR' },
        meta,
      ) as unknown as InboundEvent,
      createEnvelope(
        EventTypes.CustomerRegistered,
        { customerId: ids.toCustomerId, phone: '+4915112345678' },
        meta,
      ) as unknown as InboundEvent,
      createEnvelope(
        EventTypes.CustomerRegistered,
        { customerId: ids.fromCustomerId, phone: '+4915112345679' },
        meta,
      ) as unknown as InboundEvent,
      createEnvelope(
        EventTypes.AccountOpened,
        { accountId: ids.toAccountId, customerId: ids.toCustomerId, currency: 'EUR' },
        meta,
      ) as unknown as InboundEvent,
    ];
    expect(counterDeltas(events)).toEqual([
      { metric: 'accounts', currency: '', delta: 1n },
      { metric: 'customers', currency: '', delta: 2n },
      { metric: 'deposit_volume', currency: 'EUR', delta: 10_000n },
      { metric: 'deposits', currency: '', delta: 1n },
      { metric: 'transfer_volume', currency: 'EUR', delta: 1300n },
      { metric: 'transfer_volume', currency: 'USD', delta: 700n },
      { metric: 'transfers_completed', currency: '', delta: 3n },
      { metric: 'transfers_failed', currency: '', delta: 1n },
    ]);
  });

  it('sums exactly past 2^53: amounts near the balance cap do not round', () => {
    const cap = Number.MAX_SAFE_INTEGER;
    const [volume] = counterDeltas([completed(cap, 'EUR'), completed(cap, 'EUR'), completed(3, 'EUR')]).filter(
      (d) => d.metric === 'transfer_volume',
    );
    expect(volume.delta).toBe(2n * BigInt(cap) + 3n);
  });

  it('ignores events it does not count', () => {
    const otp = createEnvelope(EventTypes.OtpLocked, { challengeId: ids.transferId }, meta) as unknown as InboundEvent;
    expect(counterDeltas([otp])).toEqual([]);
  });
});
