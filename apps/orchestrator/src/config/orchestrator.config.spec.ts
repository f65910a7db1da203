import { ConfigError, loadConfig } from '@bank/common';
import { OrchestratorConfig } from './orchestrator.config.js';

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
