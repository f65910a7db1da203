import { rpcCallBudgetMs } from './rpc-client.js';

describe('rpcCallBudgetMs', () => {
  it('is every attempt timing out plus the longest pause between them, doubling from the base', () => {
    expect(rpcCallBudgetMs({ timeoutMs: 1_000, retries: 0, baseBackoffMs: 50 })).toBe(1_000);
    expect(rpcCallBudgetMs({ timeoutMs: 1_000, retries: 3, baseBackoffMs: 50 })).toBe(4_000 + 50 + 100 + 200);
  });

  it('counts no pause longer than 2 s', () => {
    expect(rpcCallBudgetMs({ timeoutMs: 100, retries: 2, baseBackoffMs: 1_500 })).toBe(300 + 1_500 + 2_000);
  });
});
