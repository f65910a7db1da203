import { AccountsPatterns } from '../accounts/accounts.patterns.js';
import { AuthPatterns } from '../auth/auth.patterns.js';
import { LedgerPatterns } from '../ledger/ledger.patterns.js';
import { NotificationsPatterns } from '../notifications/notifications.patterns.js';

/**
 * Who may call whom. Every app has a TLS identity of its own (its certificate's CN, and SAN
 * DNS:<name>); `operator` is people and their tools (tests, the bench, curl). scripts/lib/certs.mjs
 * writes one certificate per name here (test/static checks they agree).
 */
export const SERVICE_IDENTITIES = [
  'orchestrator',
  'accounts',
  'ledger',
  'auth',
  'notifications',
  'audit',
  'analytics',
  'operator',
] as const;
export type ServiceIdentity = (typeof SERVICE_IDENTITIES)[number];

export function isServiceIdentity(value: unknown): value is ServiceIdentity {
  return typeof value === 'string' && (SERVICE_IDENTITIES as readonly string[]).includes(value);
}

type ValueOf<T> = T[keyof T];
export type MessagePatternName =
  ValueOf<typeof AccountsPatterns> | ValueOf<typeof LedgerPatterns> | ValueOf<typeof AuthPatterns> | ValueOf<typeof NotificationsPatterns>;

/**
 * The identities allowed to send each TCP command, checked by the receiving server before
 * dispatch (anything else answers CALLER_NOT_ALLOWED). Every pattern must be listed (the type says
 * so); a pattern missing here would be refused to everyone. Derived from who sends what: the
 * orchestrator drives the sagas and the login, the ledger reads every balance to reconcile.
 */
export const PATTERN_CALLERS = {
  [AccountsPatterns.OpenAccount]: ['orchestrator'],
  [AccountsPatterns.GetAccount]: ['orchestrator'],
  [AccountsPatterns.ListAccounts]: ['orchestrator'],
  [AccountsPatterns.ReserveFunds]: ['orchestrator'],
  [AccountsPatterns.CommitFunds]: ['orchestrator'],
  [AccountsPatterns.ReleaseFunds]: ['orchestrator'],
  [AccountsPatterns.CreditDeposit]: ['orchestrator'],
  [AccountsPatterns.ListBalances]: ['ledger'],
  [LedgerPatterns.PostTransfer]: ['orchestrator'],
  [LedgerPatterns.ReverseTransfer]: ['orchestrator'],
  [LedgerPatterns.PostDeposit]: ['orchestrator'],
  [LedgerPatterns.GetStatement]: ['orchestrator'],
  // The same read as the ledger's GET /reconciliation, for an operator's tool on the TCP port.
  [LedgerPatterns.Reconcile]: ['operator'],
  [AuthPatterns.StartOtpChallenge]: ['orchestrator'],
  [AuthPatterns.VerifyOtp]: ['orchestrator'],
  [AuthPatterns.GetSigningKeys]: ['orchestrator'],
  [NotificationsPatterns.SendOtp]: ['orchestrator'],
} as const satisfies Record<MessagePatternName, readonly ServiceIdentity[]>;

/** True when `caller` may send `pattern`; unknown patterns and unknown callers are refused. */
export function mayCall(caller: string | undefined, pattern: string): boolean {
  if (caller === undefined || !Object.prototype.hasOwnProperty.call(PATTERN_CALLERS, pattern)) return false;
  return (PATTERN_CALLERS[pattern as MessagePatternName] as readonly string[]).includes(caller);
}

/**
 * Business reads on the internal HTTP ports (HTTPS, client certificate required), with the
 * identities allowed to make them. /health and /metrics carry no business data and answer any TLS
 * client; every other route of an internal port is closed unless listed here.
 */
export const InternalReads = {
  AuditEvents: { apps: ['audit'], route: 'GET /audit/events', callers: ['orchestrator', 'operator'] },
  AuditVerify: { apps: ['audit'], route: 'GET /audit/verify', callers: ['operator'] },
  AuditCheckpoints: { apps: ['audit'], route: 'GET /audit/checkpoints', callers: ['operator'] },
  /** Read for a transfer's timeline (notifications, analytics) and by people (every subscriber). */
  Inbox: { apps: ['audit', 'notifications', 'analytics'], route: 'GET /inbox/:eventId', callers: ['orchestrator', 'operator'] },
  AnalyticsSummary: { apps: ['analytics'], route: 'GET /analytics/summary', callers: ['operator'] },
  Reconciliation: { apps: ['ledger'], route: 'GET /reconciliation', callers: ['operator'] },
  /** Development only (the route exists only there): people, and the page's "try it", which shows the SMS sent. */
  DevOutbox: { apps: ['notifications'], route: 'GET /outbox', callers: ['operator', 'orchestrator'] },
  /**
   * Development only, absent under production rules: the page's "break it" (pause a subscriber's consumer,
   * refuse the next N ledger postings, slow a service). Not a read: the one write on these ports, the
   * orchestrator's alone.
   */
  DevFaults: { apps: ['accounts', 'ledger', 'notifications', 'audit', 'analytics'], route: 'POST /dev/faults', callers: ['orchestrator'] },
} as const satisfies Record<string, { apps: readonly ServiceIdentity[]; route: string; callers: readonly ServiceIdentity[] }>;
export type InternalRead = ValueOf<typeof InternalReads>;
