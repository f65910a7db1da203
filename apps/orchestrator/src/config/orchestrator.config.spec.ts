import { ConfigError, loadConfig, rpcCallBudgetMs } from '@bank/common';
import { OrchestratorConfig } from './orchestrator.config.js';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(OrchestratorConfig, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('OrchestratorConfig: the saga lease outlives one RPC call', () => {
  it('counts every attempt timing out and the longest pause between them', () => {
    expect(rpcCallBudgetMs({ timeoutMs: 2_000, retries: 0, baseBackoffMs: 50 })).toBe(2_000);
    expect(rpcCallBudgetMs({ timeoutMs: 2_000, retries: 2, baseBackoffMs: 50 })).toBe(6_000 + 50 + 100);
    // Pauses stop doubling at 2 s.
    expect(rpcCallBudgetMs({ timeoutMs: 100, retries: 8, baseBackoffMs: 50 })).toBe(
      900 + 50 + 100 + 200 + 400 + 800 + 1_600 + 2_000 + 2_000,
    );
  });

  it('boots with the defaults (2 s x 3 attempts + pauses inside a 15 s lease)', () => {
    expect(problemsOf({})).toEqual([]);
  });

  it.each([
    ['a long timeout', { RPC_TIMEOUT_MS: '6000' }],
    ['many retries', { RPC_TIMEOUT_MS: '2000', RPC_RETRIES: '7' }],
    ['a short lease', { SAGA_LEASE_MS: '6000' }],
    ['a lease just shorter than the call', { RPC_TIMEOUT_MS: '1000', RPC_RETRIES: '1', SAGA_LEASE_MS: '2050' }],
  ])('refuses %s, naming SAGA_LEASE_MS and the call time', (_case, env) => {
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^SAGA_LEASE_MS: .*RPC_TIMEOUT_MS x \(RPC_RETRIES \+ 1\).* = \d+ ms/);
  });

  it('accepts a lease just longer than the call', () => {
    expect(problemsOf({ RPC_TIMEOUT_MS: '1000', RPC_RETRIES: '1', SAGA_LEASE_MS: '2051' })).toEqual([]);
  });
});

function refuses(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(OrchestratorConfig, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join('\n');
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('OrchestratorConfig TRUST_PROXY', () => {
  it('trusts no proxy by default', () => {
    expect(loadConfig(OrchestratorConfig, {}).TRUST_PROXY).toBe('');
  });

  it.each(['10.0.0.0/8', 'loopback', '127.0.0.1, 192.168.0.0/16', '2001:db8::/32,::1', 'uniquelocal,linklocal'])('accepts %s', (value) => {
    expect(loadConfig(OrchestratorConfig, { TRUST_PROXY: value }).TRUST_PROXY).toBe(value);
  });

  // "true" would believe X-Forwarded-For from every client; a hop count cannot check the peer at all.
  it.each(['true', '*', '1', '10.0.0.0/33', '::1/129', 'proxy.internal', '10.0.0.1/8/8'])('refuses %s', (value) => {
    expect(refuses({ TRUST_PROXY: value })).toContain('TRUST_PROXY');
  });
});
