import { createEnvelope, EventTypes } from '@bank/contracts';
import { screenDelivery, type ScreenRules } from './delivery-screen.js';
import { PUBLISHED_BY_HEADER } from './failure-policy.js';

const registered = () =>
  createEnvelope(
    EventTypes.CustomerRegistered,
    { customerId: '2da02020-7080-4030-9c75-2e7c5e3f4003', phone: '+4915112345678' },
    { correlationId: 'corr-1' },
  );
const message = (body: unknown, properties: Record<string, unknown>) => ({
  content: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  properties: properties as never,
});
const rules: ScreenRules = { takes: (type) => type === EventTypes.CustomerRegistered, self: 'bank_audit', rolePrefix: 'bank_' };

describe('screenDelivery', () => {
  it("passes an event a handler takes, sent by its type's producer", () => {
    const envelope = registered();
    expect(screenDelivery(message(envelope, { messageId: envelope.id, userId: 'bank_auth' }), rules)).toEqual({
      ok: true,
      event: envelope,
    });
  });

  it('refuses a malformed body without an event', () => {
    expect(screenDelivery(message('{nope', { userId: 'bank_auth' }), rules)).toEqual({ ok: false, reason: 'malformed: body is not JSON' });
  });

  it('refuses a type no handler takes, with the event for the log', () => {
    const envelope = createEnvelope(EventTypes.OtpLocked, { challengeId: '3eb13131-8191-4141-ad86-3f8d6f405104' }, { correlationId: 'c' });
    const screened = screenDelivery(message(envelope, { userId: 'bank_auth' }), rules);
    expect(screened).toEqual({ ok: false, reason: `no handler for event type ${EventTypes.OtpLocked}`, event: envelope });
  });

  it('refuses an event someone else than its producer sent', () => {
    const envelope = registered();
    const screened = screenDelivery(message(envelope, { userId: 'bank_analytics' }), rules);
    expect(screened).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^untrusted publisher: .* not bank_analytics$/),
      event: envelope,
    });
  });

  it('believes the published-by header only on a message the subscriber moved itself', () => {
    const envelope = registered();
    expect(
      screenDelivery(message(envelope, { userId: 'bank_audit', headers: { [PUBLISHED_BY_HEADER]: 'bank_auth' } }), rules),
    ).toMatchObject({
      ok: true,
    });
    expect(
      screenDelivery(message(envelope, { userId: 'bank_analytics', headers: { [PUBLISHED_BY_HEADER]: 'bank_auth' } }), rules),
    ).toMatchObject({ ok: false });
  });
});
