import { EventTypes } from './event-envelope.js';
import { brokerUserOf, EVENT_PRODUCERS, publisherRefusal } from './event-producers.js';

describe('event producers', () => {
  it('names one producer for every event type', () => {
    expect(Object.keys(EVENT_PRODUCERS).sort()).toEqual(Object.values(EventTypes).sort());
    expect(EVENT_PRODUCERS).toEqual({
      'account.opened': 'accounts',
      'customer.registered': 'auth',
      'auth.otp_verified': 'auth',
      'auth.otp_locked': 'auth',
      'transfer.completed': 'orchestrator',
      'transfer.failed': 'orchestrator',
      'deposit.completed': 'orchestrator',
    });
  });

  it('accepts an event from the broker user of its producer only', () => {
    expect(brokerUserOf('orchestrator', 'bank_')).toBe('bank_orchestrator');
    expect(publisherRefusal('transfer.completed', 'bank_orchestrator', 'bank_')).toBeUndefined();
    expect(publisherRefusal('account.opened', 'e2e_x_accounts', 'e2e_x_')).toBeUndefined();
    expect(publisherRefusal('customer.registered', 'bank_auth', 'bank_')).toBeUndefined();
  });

  it('refuses another service, another system, an unnamed publisher and an unknown type, saying why', () => {
    expect(publisherRefusal('transfer.completed', 'bank_analytics', 'bank_')).toBe(
      'transfer.completed must come from bank_orchestrator, not bank_analytics',
    );
    expect(publisherRefusal('transfer.completed', 'bank_accounts', 'bank_')).toMatch(/not bank_accounts$/);
    expect(publisherRefusal('transfer.completed', 'other_orchestrator', 'bank_')).toMatch(/not other_orchestrator$/);
    expect(publisherRefusal('transfer.completed', 'guest', 'bank_')).toMatch(/not guest$/);
    expect(publisherRefusal('deposit.completed', undefined, 'bank_')).toBe(
      'deposit.completed must come from bank_orchestrator, not an unnamed publisher',
    );
    expect(publisherRefusal('money.printed', 'bank_orchestrator', 'bank_')).toBe('no service may publish event type money.printed');
  });
});
