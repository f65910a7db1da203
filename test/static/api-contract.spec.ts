import { createEnvelope, EventTypes } from '@bank/contracts';
import { assertDocumentedAnswer, asyncApiViolation } from '../support/api-contract.js';

// The checks the e2e suite holds every answer and event to must be able to fail.

const json = { 'content-type': 'application/json; charset=utf-8' };
const problem = { 'content-type': 'application/problem+json' };
const account = {
  id: '2c4e6a8b-0d1f-4e3a-9b5c-7d9e1f3a5b7c',
  customerId: '6f1d3c2a-5b4e-4f7a-9c8d-1e2f3a4b5c6d',
  currency: 'EUR',
  balance: 0,
  availableBalance: 0,
  createdAt: '2026-12-01T12:00:00.000Z',
};

describe('an answer held to the OpenAPI document', () => {
  it('passes when documented', () => {
    expect(() => assertDocumentedAnswer('GET', '/accounts/{id}', { status: 200, headers: json, body: account })).not.toThrow();
    const notFound = {
      type: 'https://bank.example/problems/account-not-found',
      title: 'Account not found',
      status: 404,
      code: 'ACCOUNT_NOT_FOUND',
      detail: 'd',
      instance: '/accounts/x',
    };
    expect(() => assertDocumentedAnswer('GET', '/accounts/{id}', { status: 404, headers: problem, body: notFound })).not.toThrow();
  });

  it('fails on a status, a field, a type, a code or a media type the document does not list', () => {
    expect(() => assertDocumentedAnswer('GET', '/accounts/{id}', { status: 409, headers: problem, body: {} })).toThrow(/does not list/);
    expect(() => assertDocumentedAnswer('GET', '/accounts/{id}', { status: 200, headers: json, body: { ...account, secret: 1 } })).toThrow(
      /does not match/,
    );
    expect(() =>
      assertDocumentedAnswer('GET', '/accounts/{id}', { status: 200, headers: json, body: { ...account, balance: '0' } }),
    ).toThrow(/does not match/);
    const wrongCode = {
      type: 'https://bank.example/problems/transfer-not-found',
      title: 't',
      status: 404,
      code: 'TRANSFER_NOT_FOUND',
      detail: 'd',
      instance: '/',
    };
    expect(() => assertDocumentedAnswer('GET', '/accounts/{id}', { status: 404, headers: problem, body: wrongCode })).toThrow(
      /code must be equal to one of the allowed values/,
    );
    expect(() =>
      assertDocumentedAnswer('GET', '/accounts/{id}', { status: 200, headers: { 'content-type': 'text/html' }, body: '' }),
    ).toThrow(/answered text\/html/);
    expect(() => assertDocumentedAnswer('DELETE', '/accounts/{id}', { status: 200, headers: json, body: {} })).toThrow(
      /not in the OpenAPI/,
    );
  });
});

describe('an event held to the AsyncAPI document', () => {
  const opened = createEnvelope(
    EventTypes.AccountOpened,
    { accountId: account.id, customerId: account.customerId, currency: 'EUR' },
    { correlationId: 'c-1' },
  );

  it('passes when it matches its message', () => {
    expect(asyncApiViolation(opened)).toBeUndefined();
  });

  it('fails on an unknown type, a missing or malformed field, or an unknown envelope field', () => {
    expect(asyncApiViolation({ ...opened, type: 'account.closed' })).toMatch(/not in the AsyncAPI document/);
    expect(asyncApiViolation({ ...opened, data: { accountId: account.id, currency: 'EUR' } })).toMatch(/customerId/);
    expect(asyncApiViolation({ ...opened, data: { ...opened.data, currency: 'eur' } })).toMatch(/pattern/);
    expect(asyncApiViolation({ ...opened, extra: true })).toMatch(/additional/);
  });
});
