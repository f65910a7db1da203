import { AccountsPatterns, EventTypes, LedgerPatterns, NotificationsPatterns } from '@bank/contracts';
import { systemTopology } from './topology.js';

describe('systemTopology: the arrows of /ui/system, from the tables the services enforce', () => {
  const { commands, events } = systemTopology();
  const pairs = (edges: { from: string; to: string }[]) => edges.map((e) => `${e.from}>${e.to}`);

  it('draws a command arrow for every service that may call another, and none for people', () => {
    expect(pairs(commands)).toEqual([
      'ledger>accounts',
      'orchestrator>accounts',
      'orchestrator>auth',
      'orchestrator>ledger',
      'orchestrator>notifications',
    ]);
    const edge = (from: string, to: string) => commands.find((e) => e.from === from && e.to === to)!;
    expect(edge('ledger', 'accounts').carries).toEqual([AccountsPatterns.ListBalances]);
    expect(edge('orchestrator', 'notifications').carries).toEqual([NotificationsPatterns.SendOtp]);
    expect(edge('orchestrator', 'ledger').carries).toContain(LedgerPatterns.PostTransfer);
    expect(edge('orchestrator', 'ledger').carries).not.toContain(LedgerPatterns.Reconcile);
  });

  it('draws an event arrow from every producer to every subscriber that takes one of its types', () => {
    expect(pairs(events)).toEqual([
      'accounts>analytics',
      'accounts>audit',
      'accounts>notifications',
      'auth>analytics',
      'auth>audit',
      'auth>notifications',
      'orchestrator>analytics',
      'orchestrator>audit',
      'orchestrator>notifications',
    ]);
    const edge = (from: string, to: string) => events.find((e) => e.from === from && e.to === to)!;
    // audit takes everything (#); notifications and analytics only what they bind.
    expect(edge('auth', 'audit').carries.sort()).toEqual(
      [EventTypes.OtpLocked, EventTypes.OtpVerified, EventTypes.CustomerRegistered].sort(),
    );
    expect(edge('auth', 'notifications').carries).toEqual([EventTypes.CustomerRegistered]);
    expect(edge('orchestrator', 'notifications').carries).not.toContain(EventTypes.DepositCompleted);
  });
});
