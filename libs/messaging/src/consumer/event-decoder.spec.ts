import { createEnvelope, EventTypes } from '@bank/contracts';
import { decodeEvent } from './event-decoder.js';

const transfer = () =>
  createEnvelope(
    EventTypes.TransferCompleted,
    {
      transferId: '7d4f4a52-4a47-4a4e-9a0e-3b0b9a1f0a11',
      fromAccountId: '0b8e0f0e-5f6e-4f1e-9a53-0c5a3c1d2e01',
      toAccountId: '1c9f1f1f-6f7f-4f2f-8b64-1d6b4d2e3f02',
      fromCustomerId: '2da02020-7080-4030-9c75-2e7c5e3f4003',
      toCustomerId: '3eb13131-8191-4141-ad86-3f8d6f405104',
      amount: 1250,
      currency: 'EUR',
      reference: null,
    },
    { correlationId: 'corr-1' },
  );
const body = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('decodeEvent', () => {
  it('accepts a valid envelope and keeps only its own fields', () => {
    const envelope = transfer();
    const result = decodeEvent(body({ ...envelope, extra: 'dropped' }), envelope.id);
    expect(result).toEqual({ ok: true, envelope });
  });

  it('refuses a body that is not JSON, or not an object', () => {
    expect(decodeEvent(Buffer.from('{not json'))).toEqual({ ok: false, reason: 'body is not JSON' });
    expect(decodeEvent(body([1, 2]))).toMatchObject({ ok: false, reason: 'body is not a JSON object' });
    expect(decodeEvent(body('text'))).toMatchObject({ ok: false });
  });

  it('names what is wrong with an envelope', () => {
    const { id: _id, ...noId } = transfer();
    void _id;
    const result = decodeEvent(body({ ...noId, version: 2 }));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/id: .*isUuid/);
    expect(!result.ok && result.reason).toMatch(/version/);
  });

  it('checks the data of a known event type', () => {
    const envelope = transfer();
    const result = decodeEvent(body({ ...envelope, data: { ...envelope.data, amount: 12.5 } }));
    expect(result).toMatchObject({ ok: false });
    expect(!result.ok && result.reason).toMatch(/transfer.completed data: amount/);
  });

  it('lets an unknown but well-formed type through (routing decides about it)', () => {
    const envelope = { ...transfer(), type: 'loan.granted', data: { anything: true } };
    expect(decodeEvent(body(envelope))).toMatchObject({ ok: true, envelope: { type: 'loan.granted' } });
  });

  it('refuses a messageId that differs from the envelope id', () => {
    const result = decodeEvent(body(transfer()), '00000000-0000-4000-8000-000000000000');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/messageId/);
  });
});
