import { Inject, Injectable } from '@nestjs/common';
import { AccountsPatterns, type AccountView, type GetAccountReply } from '@bank/contracts';
import { RpcClient } from '@bank/common';
import { ACCOUNTS_RPC } from '../orchestrator.tokens.js';

const MAX_CACHED = 50_000;

/**
 * Who owns an account and in which currency: facts that never change, so they are cached after the
 * first lookup and the transfer path saves a round trip. Balances are never cached.
 */
@Injectable()
export class AccountDirectory {
  private readonly owners = new Map<string, { customerId: string; currency: string }>();

  constructor(@Inject(ACCOUNTS_RPC) private readonly accounts: RpcClient) {}

  /** The account if `customerId` owns it; ACCOUNT_NOT_FOUND otherwise (also for someone else's). */
  async owned(accountId: string, customerId: string): Promise<{ customerId: string; currency: string }> {
    const cached = this.owners.get(accountId);
    if (cached && cached.customerId === customerId) return cached;
    const account = await this.fetch(accountId, customerId);
    return { customerId: account.customerId, currency: account.currency };
  }

  /** Always fresh (balances change); remembers the owner on the way. */
  async fetch(accountId: string, customerId: string): Promise<AccountView> {
    const account = await this.accounts.send<GetAccountReply>(AccountsPatterns.GetAccount, { accountId, customerId });
    this.remember(account);
    return account;
  }

  remember(account: AccountView): void {
    if (this.owners.size >= MAX_CACHED) this.owners.delete(this.owners.keys().next().value!);
    this.owners.set(account.id, { customerId: account.customerId, currency: account.currency });
  }
}
