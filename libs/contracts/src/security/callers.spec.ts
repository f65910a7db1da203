import { InternalReads, mayCall, PATTERN_CALLERS, SERVICE_IDENTITIES } from './callers.js';

/** The whole caller table as text: one row per command or read, one column per identity. */
function matrix(): string {
  const rows: [string, readonly string[]][] = [
    ...Object.entries(PATTERN_CALLERS).map(([pattern, callers]): [string, readonly string[]] => [`tcp ${pattern}`, callers]),
    ...Object.values(InternalReads).map((read): [string, readonly string[]] => [`${read.apps.join('|')} ${read.route}`, read.callers]),
  ];
  const width = Math.max(...rows.map(([what]) => what.length));
  const header = `${''.padEnd(width)}  ${SERVICE_IDENTITIES.map((id) => id.slice(0, 5).padEnd(5)).join(' ')}`;
  const lines = rows.map(
    ([what, callers]) => `${what.padEnd(width)}  ${SERVICE_IDENTITIES.map((id) => (callers.includes(id) ? '  x  ' : '  .  ')).join(' ')}`,
  );
  return [header, ...lines].map((line) => line.trimEnd()).join('\n');
}

describe('caller table', () => {
  it('allows exactly these callers (a change here is a change of the trust boundaries: update the README too)', () => {
    // Columns: orchestrator, accounts, ledger, auth, notifications, audit, analytics, operator.
    expect(`\n${matrix()}\n`).toBe(`
                                                                orche accou ledge auth  notif audit analy opera
tcp accounts.open-account                                         x     .     .     .     .     .     .     .
tcp accounts.get-account                                          x     .     .     .     .     .     .     .
tcp accounts.list-accounts                                        x     .     .     .     .     .     .     .
tcp accounts.reserve-funds                                        x     .     .     .     .     .     .     .
tcp accounts.commit-funds                                         x     .     .     .     .     .     .     .
tcp accounts.release-funds                                        x     .     .     .     .     .     .     .
tcp accounts.credit-deposit                                       x     .     .     .     .     .     .     .
tcp accounts.list-balances                                        .     .     x     .     .     .     .     .
tcp ledger.post-transfer                                          x     .     .     .     .     .     .     .
tcp ledger.reverse-transfer                                       x     .     .     .     .     .     .     .
tcp ledger.post-deposit                                           x     .     .     .     .     .     .     .
tcp ledger.get-statement                                          x     .     .     .     .     .     .     .
tcp ledger.reconcile                                              .     .     .     .     .     .     .     x
tcp auth.start-otp-challenge                                      x     .     .     .     .     .     .     .
tcp auth.verify-otp                                               x     .     .     .     .     .     .     .
tcp auth.get-signing-keys                                         x     .     .     .     .     .     .     .
tcp notifications.send-otp                                        x     .     .     .     .     .     .     .
audit GET /audit/events                                           x     .     .     .     .     .     .     x
audit GET /audit/verify                                           .     .     .     .     .     .     .     x
audit GET /audit/checkpoints                                      .     .     .     .     .     .     .     x
audit|notifications|analytics GET /inbox/:eventId                 x     .     .     .     .     .     .     x
analytics GET /analytics/summary                                  .     .     .     .     .     .     .     x
ledger GET /reconciliation                                        .     .     .     .     .     .     .     x
notifications GET /outbox                                         x     .     .     .     .     .     .     x
accounts|ledger|notifications|audit|analytics POST /dev/faults    x     .     .     .     .     .     .     .
`);
  });

  it('refuses unknown patterns, unknown callers and no caller', () => {
    expect(mayCall('orchestrator', 'accounts.reserve-funds')).toBe(true);
    expect(mayCall('orchestrator', 'accounts.list-balances')).toBe(false);
    expect(mayCall('orchestrator', 'accounts.drop-everything')).toBe(false);
    expect(mayCall('orchestrator', 'toString')).toBe(false);
    expect(mayCall('mallory', 'accounts.reserve-funds')).toBe(false);
    expect(mayCall(undefined, 'accounts.reserve-funds')).toBe(false);
  });

  it('gives no app a command of its own service (a service never calls itself) and never lets a subscriber command', () => {
    for (const [pattern, callers] of Object.entries(PATTERN_CALLERS) as [string, readonly string[]][]) {
      const service = pattern.split('.')[0];
      expect({ pattern, callers }).toEqual({
        pattern,
        callers: callers.filter((c) => c !== service && c !== 'audit' && c !== 'analytics'),
      });
    }
  });
});
