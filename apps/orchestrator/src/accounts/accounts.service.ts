import { Inject, Injectable } from '@nestjs/common';
import {
  AccountsPatterns,
  LedgerPatterns,
  type AccountView,
  type ListAccountsReply,
  type OpenAccountReply,
  type StatementReply,
} from '@bank/contracts';
import { RpcClient } from '@bank/common';
import { ACCOUNTS_RPC, LEDGER_RPC } from '../orchestrator.tokens.js';
import { AccountDirectory } from './account-directory.js';

/** The orchestrator's side of the accounts routes: one or two commands to accounts and the ledger each. */
@Injectable()
export class AccountsService {
  constructor(
    @Inject(ACCOUNTS_RPC) private readonly accounts: RpcClient,
    @Inject(LEDGER_RPC) private readonly ledger: RpcClient,
    private readonly directory: AccountDirectory,
  ) {}

  async open(customerId: string, currency: string): Promise<AccountView> {
    // Not retried: a lost reply would open a second account.
    const account = await this.accounts.send<OpenAccountReply>(AccountsPatterns.OpenAccount, { customerId, currency }, { retries: 0 });
    this.directory.remember(account);
    return account;
  }

  /** A page of the customer's accounts, oldest first, and whether more follow. */
  async list(customerId: string, limit: number, afterAccountId?: string): Promise<{ page: ListAccountsReply; more: boolean }> {
    // One more than the page: whether a next page exists without a second query.
    const accounts = await this.accounts.send<ListAccountsReply>(AccountsPatterns.ListAccounts, {
      customerId,
      limit: limit + 1,
      ...(afterAccountId ? { afterAccountId } : {}),
    });
    return { page: accounts.slice(0, limit), more: accounts.length > limit };
  }

  get(accountId: string, customerId: string): Promise<AccountView> {
    return this.directory.fetch(accountId, customerId);
  }

  async statement(accountId: string, customerId: string, limit: number, cursor?: string): Promise<StatementReply> {
    const account = await this.directory.fetch(accountId, customerId);
    const statement = await this.ledger.send<StatementReply>(LedgerPatterns.GetStatement, {
      accountId,
      limit,
      ...(cursor ? { cursor } : {}),
    });
    // The account's own currency and balance: the contract's "balance equals the account's balance".
    return { ...statement, accountId, currency: account.currency, balance: account.balance };
  }
}
