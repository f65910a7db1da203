import { randomUUID } from 'node:crypto';
import { createEnvelope, EventTypes, type EventDataMap, type EventEnvelope, type EventType } from '@bank/contracts';
import { asyncApiViolation } from '../../support/api-contract.js';

export const newId = () => randomUUID();

let phoneCounter = 0;
/** A fresh E.164 number per call. */
export const newPhone = () => `+49151${String(Date.now() % 1_000_000).padStart(6, '0')}${String(++phoneCounter).padStart(3, '0')}`;

/** An event as its producer would publish it; one its AsyncAPI message refuses fails the test at once (poison is built by hand). */
export function event<T extends EventType>(type: T, data: EventDataMap[T]): EventEnvelope<T, EventDataMap[T]> {
  const envelope = createEnvelope(type, data, { correlationId: `e2e-${randomUUID()}` });
  const violation = asyncApiViolation(envelope);
  if (violation) throw new Error(`this event does not match docs/asyncapi.yaml: ${violation}`);
  return envelope;
}

export interface Customer {
  customerId: string;
  phone: string;
  accountId: string;
}

export function newCustomer(): Customer {
  return { customerId: newId(), phone: newPhone(), accountId: newId() };
}

export const registered = (c: Customer) => event(EventTypes.CustomerRegistered, { customerId: c.customerId, phone: c.phone });
export const opened = (c: Customer, currency = 'EUR') =>
  event(EventTypes.AccountOpened, { accountId: c.accountId, customerId: c.customerId, currency });
export const deposited = (c: Customer, amount: number, currency = 'EUR') =>
  event(EventTypes.DepositCompleted, { depositId: newId(), accountId: c.accountId, customerId: c.customerId, amount, currency });
export const transferred = (from: Customer, to: Customer, amount: number, currency = 'EUR', reference: string | null = null) =>
  event(EventTypes.TransferCompleted, {
    transferId: newId(),
    fromAccountId: from.accountId,
    toAccountId: to.accountId,
    fromCustomerId: from.customerId,
    toCustomerId: to.customerId,
    amount,
    currency,
    reference,
  });
export const failed = (from: Customer, to: Customer, amount: number, failureCode = 'INSUFFICIENT_FUNDS', currency = 'EUR') =>
  event(EventTypes.TransferFailed, {
    transferId: newId(),
    fromAccountId: from.accountId,
    toAccountId: to.accountId,
    fromCustomerId: from.customerId,
    amount,
    currency,
    failureCode,
  });
