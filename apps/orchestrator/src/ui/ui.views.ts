// What the page (apps/orchestrator/web) receives on its streams. The page imports these as types
// (`import type`), so this file imports nothing but other files like it, and the page's tsconfig
// checks it too: the server and the page cannot drift apart.
import type { TransferTimeline, TransferView } from '../transfers/transfer.view.js';

/** The apps behind the orchestrator that the page shows (their internal HTTPS ports). */
export const INTERNAL_APPS = ['accounts', 'ledger', 'auth', 'notifications', 'audit', 'analytics'] as const;
export type InternalApp = (typeof INTERNAL_APPS)[number];
export const SUBSCRIBER_APPS = ['notifications', 'audit', 'analytics'] as const satisfies readonly InternalApp[];
export type SubscriberApp = (typeof SUBSCRIBER_APPS)[number];

export interface ServiceStatus {
  name: 'orchestrator' | InternalApp;
  /** /health answered 200 (the orchestrator: its database answered). */
  healthy: boolean;
  /** What was wrong, when not healthy (status code or error). */
  problem?: string;
  /** "Break it" delay on this service, ms (0: none). */
  delayMs: number;
}

export interface SubscriberStatus {
  name: SubscriberApp;
  /** Ready in the main queue. */
  queued: number;
  /** Waiting in the retry queues. */
  retrying: number;
  /** Parked in the dead-letter queue. */
  deadLettered: number;
  /** Events applied since the subscriber started (events_consumed_total, outcome processed). */
  applied: number;
  paused: boolean;
}

/** GET /ui/api/system/stream: one of these per poll. */
export interface SystemSnapshot {
  at: string;
  development: boolean;
  services: ServiceStatus[];
  /** Transfers finished per second since the previous sample (this orchestrator). */
  transfersPerSecond: number;
  /** Finished transfers by status since this orchestrator started. */
  outcomes: Record<string, number>;
  /** Outbox rows not yet confirmed by the broker, per producer. */
  outboxBacklog: Record<string, number>;
  subscribers: SubscriberStatus[];
  /** The ledger's pending "refuse the next N postings". */
  ledgerRefusesNext: number;
}

/** One arrow of /ui/system: who sends what to whom. */
export interface TopologyEdge {
  from: string;
  to: string;
  /** The command patterns, or the event types, that travel along it. */
  carries: string[];
}

/** The arrows of /ui/system, derived from the tables the services enforce (topology.ts). */
export interface SystemTopology {
  /** TCP commands (orchestration: the caller waits for the answer). */
  commands: TopologyEdge[];
  /** Events through the exchange (choreography: the producer does not know who listens). */
  events: TopologyEdge[];
}

/** GET /ui/api/info: what the page needs once per load. */
export interface UiInfo {
  development: boolean;
  topology: SystemTopology;
}

/** The event the final state published, as the orchestrator's outbox has it. */
export interface OutboxEventView {
  eventId: string;
  type: string;
  writtenAt: string;
  /** When the broker confirmed it; null while it waits in the outbox. */
  publishedAt: string | null;
  /** Publish attempts (returns, nacks) before the confirm. */
  attempts: number;
}

/** 'retrying' / 'parked': the subscriber failed on this event and it sits in a retry queue / the dead-letter queue. */
export type SubscriberState = 'no-event' | 'handled' | 'waiting' | 'retrying' | 'parked' | 'unanswered' | 'older-than-retention';

export interface SubscriberLane {
  name: SubscriberApp;
  state: SubscriberState;
  handledAt?: string;
  /** After how many attempts it handled the event (1: the first delivery); absent once its inbox row is pruned. Retrying or parked: attempts so far. */
  attempts?: number;
  /** Retrying or parked: the last failure's code (never its message), when it recorded it, and (parked) why. */
  errorCode?: string;
  failedAt?: string;
  reason?: string;
  /** The subscriber's queues while it has not handled the event (from the shared system poller). */
  queued?: number;
  retrying?: number;
  deadLettered?: number;
  paused?: boolean;
}

/** GET /ui/api/transfers/:id/stream: both halves of one transfer, sent whenever something changed. */
export interface TransferLive {
  transfer: TransferView;
  correlationId: string;
  timeline: TransferTimeline;
  event: OutboxEventView | null;
  subscribers: SubscriberLane[];
  /** Final, and every subscriber answered about its event: the stream ends after this one. */
  settled: boolean;
}
