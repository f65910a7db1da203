/** Message patterns of the accounts service (`<service>.<verb-noun>`). */
export const AccountsPatterns = {
  OpenAccount: 'accounts.open-account',
  GetAccount: 'accounts.get-account',
  ListAccounts: 'accounts.list-accounts',
  ReserveFunds: 'accounts.reserve-funds',
  CommitFunds: 'accounts.commit-funds',
  ReleaseFunds: 'accounts.release-funds',
  CreditDeposit: 'accounts.credit-deposit',
  ListBalances: 'accounts.list-balances',
} as const;
