import { currencyExponent, formatMoney } from './money-format.js';
import { transferFailedBody, transferNoticeKey, transferReceivedBody } from './notice-templates.js';

const ids = {
  transferId: '7d4f4a52-4a47-4a4e-9a0e-3b0b9a1f0a11',
  fromAccountId: '0b8e0f0e-5f6e-4f1e-9a53-0c5a3c1d2e01',
  toAccountId: '1c9f1f1f-6f7f-4f2f-8b64-1d6b4d2e3f02',
  fromCustomerId: '2da02020-7080-4030-9c75-2e7c5e3f4003',
  toCustomerId: '3eb13131-8191-4141-ad86-3f8d6f405104',
};

describe('formatMoney', () => {
  it('formats minor units by the currency exponent', () => {
    expect(formatMoney(1250, 'EUR')).toBe('12.50 EUR');
    expect(formatMoney(5, 'EUR')).toBe('0.05 EUR');
    expect(formatMoney(1250, 'JPY')).toBe('1250 JPY');
    expect(formatMoney(1250, 'KWD')).toBe('1.250 KWD');
    expect(currencyExponent('XXZ')).toBe(2);
  });

  it('stays exact where floats would not', () => {
    expect(formatMoney(1_000_000_000_000, 'EUR')).toBe('10000000000.00 EUR');
    expect(formatMoney(9_007_199_254_740_991, 'EUR')).toBe('90071992547409.91 EUR');
    expect(formatMoney(29, 'EUR')).toBe('0.29 EUR');
  });
});

describe('notice texts', () => {
  it('tells the receiver the amount and currency', () => {
    const body = transferReceivedBody({ ...ids, amount: 1250, currency: 'EUR', reference: 'Rent' });
    expect(body).toBe(`You received 12.50 EUR. Reference: "Rent". Transfer ${ids.transferId}.`);
    expect(transferReceivedBody({ ...ids, amount: 1, currency: 'EUR', reference: null })).not.toContain('Reference');
  });

  it('tells the sender why a transfer failed', () => {
    expect(transferFailedBody({ ...ids, amount: 99, currency: 'USD', failureCode: 'INSUFFICIENT_FUNDS' })).toBe(
      `Your transfer of 0.99 USD could not be completed (INSUFFICIENT_FUNDS). Transfer ${ids.transferId}.`,
    );
  });

  it('keys a notice by transfer outcome, not by event id', () => {
    expect(transferNoticeKey('received', ids.transferId.toUpperCase())).toBe(`notice:transfer-received:${ids.transferId}`);
    expect(transferNoticeKey('failed', ids.transferId)).not.toBe(transferNoticeKey('received', ids.transferId));
  });
});
