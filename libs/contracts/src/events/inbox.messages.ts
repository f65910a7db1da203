/**
 * GET /inbox/:eventId on every subscriber (notifications, audit, analytics): when that subscriber
 * applied an event. 404 EVENT_NOT_HANDLED while it has not (or never will), 400 for a malformed id.
 */
export interface InboxEntryView {
  subscriber: string;
  eventId: string;
  eventType: string;
  /** Start of the transaction that applied it: the inbox row is written with the subscriber's work. */
  handledAt: string;
  /** After how many attempts it applied it: 1 at the first delivery, more after retries or redeliveries. */
  attempts: number;
}
