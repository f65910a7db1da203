import { CORRELATION_ID_PATTERN, CURRENCY_PATTERN, MAX_AMOUNT } from '../common.js';
import { EventTypes, type EventDataMap, type EventType } from './event-envelope.js';

/**
 * The events as data, for the AsyncAPI document (`docs/asyncapi.yaml`, `GET /docs/asyncapi.yaml`)
 * and for tests that check what travels: each type's JSON Schema, who publishes it, who subscribes.
 * The schemas are typed against `EventDataMap`: a field added to an event's interface and not here
 * (or the other way round) does not compile.
 */

export type JsonSchema = Record<string, unknown>;

/** Exactly the fields of T, each with a schema; `required` lists the ones T does not mark optional. */
export interface DataSchema<T> {
  type: 'object';
  description: string;
  required: readonly (keyof T & string)[];
  properties: { [K in keyof T]-?: JsonSchema };
  /** A producer may add fields before its consumers learn them; consumers ignore what they do not know. */
  additionalProperties: true;
  examples: readonly T[];
}

const uuid = (description?: string): JsonSchema => ({ type: 'string', format: 'uuid', ...(description ? { description } : {}) });
const amount: JsonSchema = { type: 'integer', minimum: 1, maximum: MAX_AMOUNT, description: 'minor units (1250 = 12.50)' };
const currency: JsonSchema = { type: 'string', pattern: CURRENCY_PATTERN.source, description: 'ISO 4217 upper-case code' };

const ids = {
  customer: '6f1d3c2a-5b4e-4f7a-9c8d-1e2f3a4b5c6d',
  other: '0b9a8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d',
  account: '2c4e6a8b-0d1f-4e3a-9b5c-7d9e1f3a5b7c',
  otherAccount: '8e6c4a2b-0f1d-4b3a-9e5c-7a9b1d3f5e7c',
  transfer: '5a7c9e1b-3d5f-4a2c-8e4b-6d8f0a2c4e6b',
  deposit: '9d7b5f3a-1c2e-4d4f-8a6b-0c2e4f6a8b0d',
  challenge: '3e5a7c9b-1d3f-4b2a-9c4e-6f8a0b2d4c6e',
};

export const EVENT_JSON_SCHEMAS: { readonly [K in EventType]: DataSchema<EventDataMap[K]> } = {
  [EventTypes.CustomerRegistered]: {
    type: 'object',
    description: 'A phone number verified its first OTP: a new customer.',
    required: ['customerId', 'phone'],
    properties: { customerId: uuid(), phone: { type: 'string', maxLength: 32, description: 'E.164' } },
    additionalProperties: true,
    examples: [{ customerId: ids.customer, phone: '+4915112345678' }],
  },
  [EventTypes.AccountOpened]: {
    type: 'object',
    description: 'A customer opened an account.',
    required: ['accountId', 'customerId', 'currency'],
    properties: { accountId: uuid(), customerId: uuid(), currency },
    additionalProperties: true,
    examples: [{ accountId: ids.account, customerId: ids.customer, currency: 'EUR' }],
  },
  [EventTypes.DepositCompleted]: {
    type: 'object',
    description: 'Money from outside reached an account (booked against the settlement account, then credited).',
    required: ['depositId', 'accountId', 'customerId', 'amount', 'currency'],
    properties: { depositId: uuid(), accountId: uuid(), customerId: uuid('owner of the account'), amount, currency },
    additionalProperties: true,
    examples: [{ depositId: ids.deposit, accountId: ids.account, customerId: ids.customer, amount: 10_000, currency: 'EUR' }],
  },
  [EventTypes.TransferCompleted]: {
    type: 'object',
    description: 'The transfer saga finished: the money moved (final, never followed by transfer.failed).',
    required: ['transferId', 'fromAccountId', 'toAccountId', 'fromCustomerId', 'toCustomerId', 'amount', 'currency', 'reference'],
    properties: {
      transferId: uuid(),
      fromAccountId: uuid(),
      toAccountId: uuid(),
      fromCustomerId: uuid('owner of the source account'),
      toCustomerId: uuid('owner of the destination account'),
      amount,
      currency,
      reference: { type: ['string', 'null'], maxLength: 140 },
    },
    additionalProperties: true,
    examples: [
      {
        transferId: ids.transfer,
        fromAccountId: ids.account,
        toAccountId: ids.otherAccount,
        fromCustomerId: ids.customer,
        toCustomerId: ids.other,
        amount: 1250,
        currency: 'EUR',
        reference: 'rent',
      },
    ],
  },
  [EventTypes.TransferFailed]: {
    type: 'object',
    description: 'The transfer saga ended without moving money (refused, or compensated after a technical failure).',
    required: ['transferId', 'fromAccountId', 'toAccountId', 'fromCustomerId', 'amount', 'currency', 'failureCode'],
    properties: {
      transferId: uuid(),
      fromAccountId: uuid(),
      toAccountId: uuid(),
      fromCustomerId: uuid('owner of the source account'),
      amount,
      currency,
      failureCode: { type: 'string', maxLength: 64, description: 'an error code, e.g. INSUFFICIENT_FUNDS' },
    },
    additionalProperties: true,
    examples: [
      {
        transferId: ids.transfer,
        fromAccountId: ids.account,
        toAccountId: ids.otherAccount,
        fromCustomerId: ids.customer,
        amount: 1250,
        currency: 'EUR',
        failureCode: 'INSUFFICIENT_FUNDS',
      },
    ],
  },
  [EventTypes.OtpVerified]: {
    type: 'object',
    description: 'A login code was verified; an access token was issued.',
    required: ['challengeId', 'customerId'],
    properties: { challengeId: uuid(), customerId: uuid() },
    additionalProperties: true,
    examples: [{ challengeId: ids.challenge, customerId: ids.customer }],
  },
  [EventTypes.OtpLocked]: {
    type: 'object',
    description: 'A login challenge died after too many wrong codes.',
    required: ['challengeId'],
    properties: { challengeId: uuid() },
    additionalProperties: true,
    examples: [{ challengeId: ids.challenge }],
  },
};

/** The envelope every event travels in; `data` is the type's schema above. */
export function envelopeSchema(type: EventType, data: JsonSchema): JsonSchema {
  return {
    type: 'object',
    required: ['id', 'type', 'version', 'occurredAt', 'correlationId', 'data'],
    properties: {
      id: { type: 'string', format: 'uuid', description: 'unique per event; also the AMQP messageId; consumers dedupe by it' },
      type: { type: 'string', const: type },
      version: { type: 'integer', const: 1 },
      occurredAt: { type: 'string', format: 'date-time' },
      correlationId: {
        type: 'string',
        pattern: CORRELATION_ID_PATTERN.source,
        description: 'of the request or saga that caused the event',
      },
      causationId: { type: 'string', maxLength: 128, description: 'id of the event or command that caused this one, when there is one' },
      data,
    },
    additionalProperties: false,
  };
}

/** Every type, the routing key it is published with (the type itself). */
export const ALL_EVENT_TYPES: readonly EventType[] = Object.values(EventTypes);

/**
 * What each subscriber of the system binds its queue to (`#`: every event). The handlers'
 * @OnEvents are the truth at run time; a test holds this table to them. Both exist because the
 * AsyncAPI document is made by libs/messaging and served by the orchestrator, neither of which may
 * import the subscribing apps (an app never imports another app): this table is the part of the
 * handlers' declarations the document needs, written where every side can read it.
 */
export const EVENT_SUBSCRIPTIONS: Readonly<Record<'audit' | 'analytics' | 'notifications', readonly (EventType | '#')[]>> = {
  audit: ['#'],
  analytics: [
    EventTypes.TransferCompleted,
    EventTypes.TransferFailed,
    EventTypes.DepositCompleted,
    EventTypes.CustomerRegistered,
    EventTypes.AccountOpened,
  ],
  notifications: [EventTypes.CustomerRegistered, EventTypes.AccountOpened, EventTypes.TransferCompleted, EventTypes.TransferFailed],
};
