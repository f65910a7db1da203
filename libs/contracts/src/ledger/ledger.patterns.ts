/** Message patterns of the ledger service. */
export const LedgerPatterns = {
  PostTransfer: 'ledger.post-transfer',
  ReverseTransfer: 'ledger.reverse-transfer',
  PostDeposit: 'ledger.post-deposit',
  GetStatement: 'ledger.get-statement',
  Reconcile: 'ledger.reconcile',
} as const;
