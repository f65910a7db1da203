import { AccountsPatterns, LedgerPatterns, type AccountView } from '@bank/contracts';
import type { RpcClient } from '@bank/common';
import { AccountDirectory } from './account-directory.js';
import { AccountsService } from './accounts.service.js';

const account = (id: string): AccountView => ({ id, customerId: 'c1', currency: 'EUR', balance: 500 }) as AccountView;

/** An RpcClient answering each pattern from `answers`, recording what was sent. */
function rpc(answers: Record<string, (payload: Record<string, unknown>) => unknown>) {
  const sent: { pattern: string; payload: object; options?: object }[] = [];
  const client = {
    send: (pattern: string, payload: Record<string, unknown>, options?: object) => {
      sent.push({ pattern, payload, ...(options ? { options } : {}) });
      return Promise.resolve(answers[pattern](payload));
    },
  } as unknown as RpcClient;
  return { client, sent };
}

describe('AccountsService', () => {
  it('opens an account without retrying (a retry would open a second one)', async () => {
    const accounts = rpc({ [AccountsPatterns.OpenAccount]: () => account('a1') });
    const service = new AccountsService(accounts.client, rpc({}).client, new AccountDirectory(accounts.client));
    await expect(service.open('c1', 'EUR')).resolves.toEqual(account('a1'));
    expect(accounts.sent).toEqual([
      { pattern: AccountsPatterns.OpenAccount, payload: { customerId: 'c1', currency: 'EUR' }, options: { retries: 0 } },
    ]);
  });

  it('asks one account more than the page, to know whether another page follows', async () => {
    const accounts = rpc({ [AccountsPatterns.ListAccounts]: (p) => ['a1', 'a2', 'a3'].slice(0, p.limit as number).map(account) });
    const service = new AccountsService(accounts.client, rpc({}).client, new AccountDirectory(accounts.client));
    await expect(service.list('c1', 2)).resolves.toEqual({ page: [account('a1'), account('a2')], more: true });
    await expect(service.list('c1', 3, 'a0')).resolves.toEqual({ page: ['a1', 'a2', 'a3'].map(account), more: false });
    expect(accounts.sent[1].payload).toEqual({ customerId: 'c1', limit: 4, afterAccountId: 'a0' });
  });

  it("gives a statement the account's own currency and balance", async () => {
    const accounts = rpc({ [AccountsPatterns.GetAccount]: () => account('a1') });
    const ledger = rpc({ [LedgerPatterns.GetStatement]: () => ({ entries: [], nextCursor: null, balance: 0, currency: 'XXX' }) });
    const service = new AccountsService(accounts.client, ledger.client, new AccountDirectory(accounts.client));
    await expect(service.statement('a1', 'c1', 10, 'cur')).resolves.toMatchObject({ accountId: 'a1', currency: 'EUR', balance: 500 });
    expect(ledger.sent[0].payload).toEqual({ accountId: 'a1', limit: 10, cursor: 'cur' });
  });
});
