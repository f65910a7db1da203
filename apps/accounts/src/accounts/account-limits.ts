/** Limits of the accounts service, from the validated config. */
export interface AccountLimits {
  maxPerCustomer: number;
}
export const ACCOUNT_LIMITS = Symbol('ACCOUNT_LIMITS');
