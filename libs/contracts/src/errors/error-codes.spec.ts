import { DomainError, isTransient } from './domain.error.js';
import {
  BUSINESS_ERROR_CODES,
  ErrorCodes,
  isTransientCode,
  REQUEST_REFUSAL_CODES,
  TRANSIENT_ERROR_CODES,
  type ErrorCode,
} from './error-codes.js';

describe('error code classes', () => {
  it('are disjoint where they must be: no code is both worth a retry and a refusal', () => {
    expect([...TRANSIENT_ERROR_CODES].filter((c) => BUSINESS_ERROR_CODES.has(c))).toEqual([]);
  });

  it('answer a refusal of the request with a code the business refused', () => {
    expect([...REQUEST_REFUSAL_CODES].filter((c) => !BUSINESS_ERROR_CODES.has(c))).toEqual([]);
  });

  it('are made of codes that exist', () => {
    for (const set of [TRANSIENT_ERROR_CODES, BUSINESS_ERROR_CODES, REQUEST_REFUSAL_CODES]) {
      for (const code of set) expect(ErrorCodes).toHaveProperty(code);
    }
  });

  it('call transient the failures to get an answer: 500, 503 and 504, and only those', () => {
    const transient = (Object.keys(ErrorCodes) as ErrorCode[]).filter(isTransientCode);
    expect(transient.sort()).toEqual(['DEPENDENCY_TIMEOUT', 'INTERNAL', 'SERVICE_UNAVAILABLE']);
    expect(transient.map((c) => ErrorCodes[c]).sort()).toEqual([500, 503, 504]);
  });

  it('treat anything thrown that is not a DomainError as transient (no answer), a DomainError by its code', () => {
    expect(isTransient(new Error('socket hang up'))).toBe(true);
    expect(isTransient('connection reset')).toBe(true);
    expect(isTransient(new DomainError('DEPENDENCY_TIMEOUT'))).toBe(true);
    expect(isTransient(new DomainError('INSUFFICIENT_FUNDS'))).toBe(false);
    expect(isTransient(new DomainError('NOT_FOUND'))).toBe(false);
  });
});
