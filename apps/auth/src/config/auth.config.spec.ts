import { generateKeyPairSync } from 'node:crypto';
import { ConfigError, loadConfig } from '@bank/common';
import { AuthConfig, DEV_OTP_PEPPER } from './auth.config.js';

const ed25519Pem = () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PRODUCTION_PEPPER = 'a-production-pepper-of-decent-length';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(AuthConfig, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('AuthConfig', () => {
  it('has the documented defaults under development rules', () => {
    const config = loadConfig(AuthConfig, { NODE_ENV: 'development' });
    expect(config).toMatchObject({
      AUTH_TCP_PORT: 4003,
      AUTH_HTTP_PORT: 3003,
      OTP_TTL_SECONDS: 300,
      OTP_MAX_ATTEMPTS: 5,
      OTP_RATE_LIMIT: 5,
      OTP_RATE_WINDOW_SECONDS: 900,
      OTP_FAILURE_LIMIT: 10,
      OTP_FAILURE_WINDOW_SECONDS: 3_600,
      OTP_FAILURE_STREAK_LIMIT: 100,
      OTP_FAILURE_STREAK_WAIT_SECONDS: 3_600,
      OTP_SOURCE_LIMIT: 30,
      OTP_SOURCE_WINDOW_SECONDS: 600,
      OTP_SMS_PER_MINUTE: 60,
      ACCESS_TOKEN_TTL_SECONDS: 900,
      TOKEN_ISSUER: 'bank-auth',
      TOKEN_AUDIENCE: 'bank-api',
      OTP_PEPPER: DEV_OTP_PEPPER,
      AUTH_SIGNING_KEY: '',
    });
  });

  it('never allows more than 100 consecutive failures (NIST SP 800-63B)', () => {
    expect(problemsOf({ OTP_FAILURE_STREAK_LIMIT: '101' }).join('\n')).toContain('OTP_FAILURE_STREAK_LIMIT');
  });

  it('refuses a code lifetime above 5 minutes', () => {
    expect(problemsOf({ OTP_TTL_SECONDS: '301' }).join('\n')).toContain('OTP_TTL_SECONDS');
    expect(loadConfig(AuthConfig, { NODE_ENV: 'test', OTP_TTL_SECONDS: '1' }).OTP_TTL_SECONDS).toBe(1);
  });

  it('requires the pepper and the signing key in production', () => {
    const problems = problemsOf({ NODE_ENV: 'production' }).join('\n');
    expect(problems).toContain('OTP_PEPPER');
    expect(problems).toContain('AUTH_SIGNING_KEY');
  });

  it('applies production rules when NODE_ENV is unset: no dev pepper, no generated signing key', () => {
    const problems = problemsOf({}).join('\n');
    expect(problems).toContain('OTP_PEPPER');
    expect(problems).toContain('AUTH_SIGNING_KEY');
    expect(loadConfig(AuthConfig, { OTP_PEPPER: PRODUCTION_PEPPER, AUTH_SIGNING_KEY: ed25519Pem() }).NODE_ENV).toBe('production');
  });

  it('boots in production with both secrets set', () => {
    const config = loadConfig(AuthConfig, { NODE_ENV: 'production', OTP_PEPPER: PRODUCTION_PEPPER, AUTH_SIGNING_KEY: ed25519Pem() });
    expect(config.OTP_PEPPER).toBe(PRODUCTION_PEPPER);
  });

  it('accepts a PEM written on one line with \\n escapes', () => {
    const oneLine = ed25519Pem().replace(/\n/g, '\\n');
    expect(loadConfig(AuthConfig, { NODE_ENV: 'development', AUTH_SIGNING_KEY: oneLine }).AUTH_SIGNING_KEY).toBe(oneLine);
  });

  it('refuses a signing key that is not Ed25519, without echoing it', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const problems = problemsOf({ AUTH_SIGNING_KEY: rsa });
    expect(problems.join('\n')).toContain('AUTH_SIGNING_KEY');
    expect(problems.join('\n')).not.toContain('PRIVATE KEY');
    expect(problems.join('\n')).toContain('value not shown');
  });

  it('refuses a short pepper without echoing it', () => {
    const problems = problemsOf({ OTP_PEPPER: 'short-secret' }).join('\n');
    expect(problems).toContain('OTP_PEPPER');
    expect(problems).not.toContain('short-secret');
  });
});
