import { randomUUID } from 'node:crypto';

/** The one envelope every event travels in (AMQP messageId = id). */
export interface EventEnvelope<TType extends string = string, TData = unknown> {
  id: string;
  type: TType;
  version: 1;
  occurredAt: string;
  correlationId: string;
  causationId?: string;
  data: TData;
}

export function createEnvelope<TType extends EventType>(
  type: TType,
  data: EventDataMap[TType],
  meta: { correlationId: string; causationId?: string; id?: string; occurredAt?: Date },
): EventEnvelope<TType, EventDataMap[TType]> {
  return {
    id: meta.id ?? randomUUID(),
    type,
    version: 1,
    occurredAt: (meta.occurredAt ?? new Date()).toISOString(),
    correlationId: meta.correlationId,
    ...(meta.causationId ? { causationId: meta.causationId } : {}),
    data,
  };
}

/** Exchange every business event is published to (topic). */
export const EVENTS_EXCHANGE = 'bank.events';

export const EventTypes = {
  CustomerRegistered: 'customer.registered',
  AccountOpened: 'account.opened',
  DepositCompleted: 'deposit.completed',
  TransferCompleted: 'transfer.completed',
  TransferFailed: 'transfer.failed',
  OtpVerified: 'auth.otp_verified',
  OtpLocked: 'auth.otp_locked',
} as const;
export type EventType = (typeof EventTypes)[keyof typeof EventTypes];

export interface CustomerRegisteredData {
  customerId: string;
  phone: string;
}
export interface AccountOpenedData {
  accountId: string;
  customerId: string;
  currency: string;
}
export interface DepositCompletedData {
  depositId: string;
  accountId: string;
  customerId: string;
  amount: number;
  currency: string;
}
export interface TransferCompletedData {
  transferId: string;
  fromAccountId: string;
  toAccountId: string;
  fromCustomerId: string;
  toCustomerId: string;
  amount: number;
  currency: string;
  reference: string | null;
}
export interface TransferFailedData {
  transferId: string;
  fromAccountId: string;
  toAccountId: string;
  fromCustomerId: string;
  amount: number;
  currency: string;
  failureCode: string;
}
export interface OtpVerifiedData {
  challengeId: string;
  customerId: string;
}
export interface OtpLockedData {
  challengeId: string;
}

export interface EventDataMap {
  'customer.registered': CustomerRegisteredData;
  'account.opened': AccountOpenedData;
  'deposit.completed': DepositCompletedData;
  'transfer.completed': TransferCompletedData;
  'transfer.failed': TransferFailedData;
  'auth.otp_verified': OtpVerifiedData;
  'auth.otp_locked': OtpLockedData;
}

export type AnyEventEnvelope = { [K in EventType]: EventEnvelope<K, EventDataMap[K]> }[EventType];
