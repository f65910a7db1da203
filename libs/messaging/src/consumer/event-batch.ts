import type { Logger } from '@nestjs/common';
import type { Span } from '@opentelemetry/api';
import { devFaults, failSpan, isTracing } from '@bank/common';
import type { Sql } from '@bank/database';
import { eventBatchSize, eventConsumerLag, eventsConsumed } from '../metrics/messaging.metrics.js';
import { endSpanAfter, inProcessSpans, processSpan } from './consumer-spans.js';
import { ackAll, type DecodedDelivery, type Delivery } from './delivery.js';
import { screenDelivery, type ScreenRules } from './delivery-screen.js';
import type { EventRoutes } from './event-routes.js';
import { inEventContext } from './inbound-event-handler.js';
import type { RetryOrPark } from './retry-or-park.js';

export interface EventBatchDeps {
  subscriber: string;
  /** Schema holding the subscriber's inbox table. */
  schema: string;
  /** ROLE_PREFIX, for the publisher check. */
  rolePrefix: string;
  /** The subscriber's own broker user. */
  self: string;
  db: Pick<Sql, 'transaction'>;
  routes: EventRoutes;
  failures: Pick<RetryOrPark, 'fail' | 'park'>;
  logger: Pick<Logger, 'log' | 'warn'>;
}

/**
 * Applies a batch of deliveries: screens each (malformed, unknown or forged ones are parked), then
 * applies the rest in ONE transaction with their inbox rows and acks them after the commit. If that
 * transaction fails, each event is tried alone, so one bad event cannot hold back the others; one
 * that fails alone takes the retry-or-park path. Nothing is acked before its effect is committed.
 */
export class EventBatch {
  private readonly rules: ScreenRules;

  constructor(private readonly deps: EventBatchDeps) {
    this.rules = { takes: (type) => deps.routes.takes(type), self: deps.self, rolePrefix: deps.rolePrefix };
  }

  /** `wanted`: false for a delivery whose channel closed since (it comes back; working on it is wasted). */
  async process(deliveries: readonly Delivery[], wanted: (delivery: Delivery) => boolean): Promise<void> {
    if (devFaults.delayMs > 0) await devFaults.delay(); // "slow a service down" (development only)
    const { failures } = this.deps;
    const decoded: DecodedDelivery[] = [];
    for (const delivery of deliveries) {
      if (!wanted(delivery)) continue;
      const screened = screenDelivery(delivery.message, this.rules);
      if (!screened.ok) {
        await failures.park(delivery, screened.reason, screened.event);
        continue;
      }
      // "Make a subscriber fail the next N events" (development only): to the retry queue, as a failing handler would.
      if (devFaults.takeRefusal()) {
        await failures.fail({ ...delivery, event: screened.event }, developmentFault());
        continue;
      }
      decoded.push({ ...delivery, event: screened.event });
    }
    if (decoded.length === 0) return;
    try {
      await this.commit(decoded);
    } catch (error) {
      if (decoded.length === 1) return failures.fail(decoded[0], error);
      this.deps.logger.warn({ msg: 'batch failed, applying its events one by one', size: decoded.length, err: (error as Error).message });
      for (const one of decoded) {
        try {
          await this.commit([one]);
        } catch (singleError) {
          await failures.fail(one, singleError);
        }
      }
    }
  }

  /** One transaction: inbox rows, then every handler's work; acks only after the commit. */
  private async commit(deliveries: DecodedDelivery[]): Promise<void> {
    const { subscriber, schema, db, routes, logger } = this.deps;
    const spans: Span[] = isTracing() ? deliveries.map((d) => processSpan(d, deliveries.length, subscriber)) : [];
    const transaction = () => db.transaction((tx) => routes.claimAndApply(tx, { schema, subscriber }, deliveries));
    let fresh: Set<string>;
    try {
      fresh = spans.length === 0 ? await transaction() : await inProcessSpans(spans, subscriber, transaction);
    } catch (error) {
      spans.forEach((span) => {
        failSpan(span, error);
        span.end();
      });
      throw error;
    }
    const now = Date.now();
    const counted = new Set<string>();
    ackAll(deliveries);
    deliveries.forEach((d, index) => {
      const id = d.event.id.toLowerCase();
      const processed = fresh.has(id) && !counted.has(id);
      counted.add(id);
      eventsConsumed.inc({ subscriber, type: d.event.type, outcome: processed ? 'processed' : 'duplicate' });
      if (processed) {
        const occurred = Date.parse(d.event.occurredAt);
        if (Number.isFinite(occurred)) eventConsumerLag.observe({ subscriber }, Math.max(0, now - occurred) / 1000);
      }
      const span = spans[index];
      span?.setAttribute('bank.duplicate', !processed);
      endSpanAfter(span, () =>
        inEventContext(d.event, () =>
          logger.log({ msg: processed ? 'event handled' : 'duplicate event ignored', eventId: d.event.id, type: d.event.type }),
        ),
      );
    });
    eventBatchSize.observe({ subscriber }, fresh.size);
  }
}

/** The error of "fail the next N events", with a code the failure record and the page can show. */
function developmentFault(): Error {
  return Object.assign(new Error('failed on purpose (development fault)'), { code: 'DEVELOPMENT_FAULT' });
}
