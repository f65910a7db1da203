import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EventTypes } from '@bank/contracts';
import type { SqlRunner } from '@bank/database';
import { inEventContext, isEventOfType, OnEvents, RetryLaterError, type InboundEvent, type InboundEventHandler } from '@bank/messaging';
import { transferFailedBody, transferNoticeKey, transferReceivedBody } from './notice-templates.js';

/**
 * Keeps a small read model (customer -> phone, account -> customer) from the events and sends an
 * SMS (records a message) when a transfer completes (to the receiver) or fails (to the sender).
 * A notice whose customer is not known yet, because its events overtook the registration, is
 * retried later instead of being dropped.
 */
@OnEvents(EventTypes.CustomerRegistered, EventTypes.AccountOpened, EventTypes.TransferCompleted, EventTypes.TransferFailed)
@Injectable()
export class CustomerNoticesHandler implements InboundEventHandler {
  private readonly logger = new Logger(CustomerNoticesHandler.name);

  async handle(events: readonly InboundEvent[], tx: SqlRunner): Promise<void> {
    // The read model first: a registration and a transfer in one batch work in either order.
    const customers = events
      .filter((e) => isEventOfType(e, EventTypes.CustomerRegistered))
      .map((e) => e.data as { customerId: string; phone: string });
    if (customers.length > 0) {
      await tx.rows(
        `INSERT INTO notifications.notice_customers (customer_id, phone)
         SELECT DISTINCT ON (c.customer_id) c.customer_id, c.phone FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS c(customer_id, phone, ord)
          ORDER BY c.customer_id, c.ord DESC
         ON CONFLICT (customer_id) DO UPDATE SET phone = EXCLUDED.phone, updated_at = now()`,
        [customers.map((c) => c.customerId), customers.map((c) => c.phone)],
      );
    }
    const accounts = events
      .filter((e) => isEventOfType(e, EventTypes.AccountOpened))
      .map((e) => e.data as { accountId: string; customerId: string });
    if (accounts.length > 0) {
      await tx.rows(
        `INSERT INTO notifications.notice_accounts (account_id, customer_id)
         SELECT DISTINCT ON (a.account_id) a.account_id, a.customer_id FROM unnest($1::uuid[], $2::uuid[]) AS a(account_id, customer_id)
         ON CONFLICT (account_id) DO NOTHING`,
        [accounts.map((a) => a.accountId), accounts.map((a) => a.customerId)],
      );
    }
    const notices: Notice[] = [];
    for (const event of events) {
      if (isEventOfType(event, EventTypes.TransferCompleted)) {
        const { data } = event;
        notices.push({
          event,
          customerId: data.toCustomerId,
          accountId: data.toAccountId,
          body: transferReceivedBody(data),
          dedupeKey: transferNoticeKey('received', data.transferId),
        });
      } else if (isEventOfType(event, EventTypes.TransferFailed)) {
        const { data } = event;
        notices.push({
          event,
          customerId: data.fromCustomerId,
          accountId: data.fromAccountId,
          body: transferFailedBody(data),
          dedupeKey: transferNoticeKey('failed', data.transferId),
        });
      }
    }
    if (notices.length > 0) await this.notify(tx, notices);
  }

  /** One statement for the batch: look each phone up and record each message, once per dedupe key. */
  private async notify(tx: SqlRunner, notices: Notice[]): Promise<void> {
    const results = await tx.rows<{ known: boolean; sent: boolean }>(
      `WITH notice AS (
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[]) WITH ORDINALITY
                AS n(customer_id, account_id, id, body, dedupe_key, ord)
       ), addressed AS (
         SELECT n.*, c.phone FROM notice n
           LEFT JOIN notifications.notice_customers c ON c.customer_id =
                coalesce(n.customer_id, (SELECT a.customer_id FROM notifications.notice_accounts a WHERE a.account_id = n.account_id))
       ), sent AS (
         INSERT INTO notifications.messages (id, recipient, channel, body, dedupe_key)
         SELECT id, phone, 'sms', body, dedupe_key FROM addressed WHERE phone IS NOT NULL ORDER BY ord
         ON CONFLICT (dedupe_key) DO NOTHING
         RETURNING dedupe_key
       )
       SELECT a.phone IS NOT NULL AS known, EXISTS (SELECT 1 FROM sent s WHERE s.dedupe_key = a.dedupe_key) AS sent
         FROM addressed a ORDER BY a.ord`,
      [
        notices.map((n) => n.customerId || null),
        notices.map((n) => n.accountId),
        notices.map(() => randomUUID()),
        notices.map((n) => n.body),
        notices.map((n) => n.dedupeKey),
      ],
    );
    notices.forEach((notice, i) => {
      const result = results[i];
      if (!result?.known) throw new RetryLaterError(`no phone known yet for customer ${notice.customerId}`);
      // Never the phone number or the text: the key and the outcome are enough to trace it.
      inEventContext(notice.event, () =>
        this.logger.log({ msg: result.sent ? 'notice sent' : 'notice already sent', dedupeKey: notice.dedupeKey }),
      );
    });
  }
}

interface Notice {
  event: InboundEvent;
  customerId: string;
  accountId: string;
  body: string;
  dedupeKey: string;
}
