import { Inject, Logger } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { RpcClient } from '@bank/common';
import { Sql } from '@bank/database';
import {
  AccountsPatterns,
  ReconcileQuery,
  type ListBalancesQuery,
  type ListBalancesReply,
  type ReconcileReply,
  type ReconciliationMismatch,
} from '@bank/contracts';
import { ACCOUNTS_RPC } from './accounts-rpc.js';

/** Accounts per call to accounts.list-balances (it allows up to 10 000). */
export const RECONCILE_PAGE_SIZE = 1000;

interface LedgerBalanceRow {
  account_id: string;
  currency: string;
  balance: string;
}

/**
 * Compares every account's balance in the accounts service with its running balance in the ledger,
 * page by page in account id order (both sides sort uuids the same way, in Postgres). Each page of
 * accounts is matched with the ledger rows of the same id range, so a ledger row for an account the
 * accounts service does not know is reported too. The two services are read at different moments:
 * a transfer in flight shows up as a mismatch, so run it on a quiet system or run it again.
 */
@QueryHandler(ReconcileQuery)
export class ReconcileHandler implements IQueryHandler<ReconcileQuery, ReconcileReply> {
  private readonly logger = new Logger(ReconcileHandler.name);

  constructor(
    private readonly db: Sql,
    @Inject(ACCOUNTS_RPC) private readonly accounts: Pick<RpcClient, 'send'>,
  ) {}

  async execute(): Promise<ReconcileReply> {
    const mismatches: ReconciliationMismatch[] = [];
    let accountsChecked = 0;
    let after: string | null = null;
    for (;;) {
      const query: ListBalancesQuery =
        after === null ? { limit: RECONCILE_PAGE_SIZE } : { afterAccountId: after, limit: RECONCILE_PAGE_SIZE };
      const page = await this.accounts.send<ListBalancesReply>(AccountsPatterns.ListBalances, query);
      const last = page.length < RECONCILE_PAGE_SIZE ? null : page[page.length - 1].accountId;
      // The last page's range is open-ended: it also takes every ledger row beyond the last account.
      const ledgerRows = await this.db.rows<LedgerBalanceRow>(
        `SELECT account_id, currency, balance FROM ledger.balances
          WHERE ($1::uuid IS NULL OR account_id > $1::uuid) AND ($2::uuid IS NULL OR account_id <= $2::uuid)`,
        [after, last],
      );
      const ledger = new Map(ledgerRows.map((r) => [r.account_id, r]));
      for (const account of page) {
        const row = ledger.get(account.accountId);
        ledger.delete(account.accountId);
        // No ledger row means nothing was ever booked: a balance of 0.
        const ledgerBalance = row ? Number(row.balance) : 0;
        if (ledgerBalance !== account.balance || (row !== undefined && row.currency !== account.currency)) {
          mismatches.push({ accountId: account.accountId, ledgerBalance: row ? ledgerBalance : null, accountsBalance: account.balance });
        }
      }
      for (const orphan of ledger.values()) {
        mismatches.push({ accountId: orphan.account_id, ledgerBalance: Number(orphan.balance), accountsBalance: null });
      }
      accountsChecked += page.length;
      if (last === null) break;
      after = last;
    }
    const totals = await this.db.rows<{ currency: string; total: string }>(
      `SELECT currency, sum(amount)::text AS total FROM ledger.entries GROUP BY currency ORDER BY currency`,
    );
    const journalTotals = Object.fromEntries(totals.map((t) => [t.currency, Number(t.total)]));
    const journalBalanced = Object.values(journalTotals).every((total) => total === 0);
    const ok = mismatches.length === 0 && journalBalanced;
    if (!ok) this.logger.warn({ msg: 'reconciliation found differences', mismatches: mismatches.length, journalBalanced });
    return { ok, accountsChecked, mismatches, journalTotals, checkedAt: new Date().toISOString() };
  }
}
