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
    for (const event of events) {
      if (isEventOfType(event, EventTypes.TransferCompleted)) {
        const { data } = event;
        await inEventContext(event, () =>
          this.notify(tx, data.toCustomerId, data.toAccountId, transferReceivedBody(data), transferNoticeKey('received', data.transferId)),
        );
      } else if (isEventOfType(event, EventTypes.TransferFailed)) {
        const { data } = event;
        await inEventContext(event, () =>
          this.notify(tx, data.fromCustomerId, data.fromAccountId, transferFailedBody(data), transferNoticeKey('failed', data.transferId)),
        );
      }
    }
  }

  /** One statement: look the phone up and record the message, once per dedupe key. */
  private async notify(tx: SqlRunner, customerId: string, accountId: string, body: string, dedupeKey: string): Promise<void> {
    const [result] = await tx.rows<{ known: number; sent: number }>(
      `WITH recipient AS (
         SELECT c.phone FROM notifications.notice_customers c
          WHERE c.customer_id = coalesce($1::uuid, (SELECT a.customer_id FROM notifications.notice_accounts a WHERE a.account_id = $2::uuid))
       ), sent AS (
         INSERT INTO notifications.messages (id, recipient, channel, body, dedupe_key)
         SELECT $3, phone, 'sms', $4, $5 FROM recipient
         ON CONFLICT (dedupe_key) DO NOTHING
         RETURNING id
       )
       SELECT (SELECT count(*) FROM recipient)::int AS known, (SELECT count(*) FROM sent)::int AS sent`,
      [customerId, accountId, randomUUID(), body, dedupeKey],
    );
    if (!result || result.known === 0) throw new RetryLaterError(`no phone known yet for customer ${customerId}`);
    // Never the phone number or the text: the key and the outcome are enough to trace it.
    this.logger.log({ msg: result.sent > 0 ? 'notice sent' : 'notice already sent', dedupeKey });
  }
}
