/**
 * GET /inbox/:eventId on every subscriber (notifications, audit, analytics): when that subscriber
 * applied an event, or, while it has not, where the event sits after a failure (a retry queue or
 * the dead-letter queue). 404 EVENT_NOT_HANDLED while it has neither applied nor failed on it (or
 * its rows are pruned), 400 for a malformed id.
 */
export type InboxEntryView = HandledInboxEntry | PendingInboxEntry;

export interface HandledInboxEntry {
  subscriber: string;
  eventId: string;
  eventType: string;
  /** Start of the transaction that applied it: the inbox row is written with the subscriber's work. */
  handledAt: string;
  /** After how many attempts it applied it: 1 at the first delivery, more after retries or redeliveries. */
  attempts: number;
}

/** Where a failed event went; the inbox row wins once the event is applied (a retry or a redrive). */
export type InboxFailureState = 'retrying' | 'parked';

/** Told apart from a handled entry by `handled: false` (a handled one keeps its original shape, without the field). */
export interface PendingInboxEntry {
  subscriber: string;
  eventId: string;
  eventType: string;
  handled: false;
  /** 'retrying': waiting in a retry queue; 'parked': in the dead-letter queue until someone redrives it. */
  state: InboxFailureState;
  /** Attempts so far, all failed. */
  attempts: number;
  /** The last failure's code (a domain error code, a driver code such as 40001, or the error's class): never its message. */
  errorCode: string;
  /** Parked: why, without the error's message (e.g. "gave up after 3 retries"). */
  reason?: string;
  /** When the subscriber recorded that failure. */
  updatedAt: string;
}
