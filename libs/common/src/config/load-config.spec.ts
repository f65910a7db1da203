import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { IsInt, Max, Min } from 'class-validator';
import { BaseConfig, hasDevelopmentRules } from './base.config.js';
import { ConfigError, loadConfig } from './load-config.js';

class SampleConfig extends BaseConfig {
  @IsInt()
  @Min(1)
  @Max(65535)
  SAMPLE_PORT = 4000;
}

describe('loadConfig', () => {
  it('uses the defaults when the environment is empty', () => {
    const config = loadConfig(SampleConfig, {});
    expect(config.SAMPLE_PORT).toBe(4000);
    expect(config.DATABASE_URL).toMatch(/^postgres:/);
  });

  it('applies production rules when NODE_ENV is unset; development rules only when asked for', () => {
    expect(loadConfig(SampleConfig, {}).NODE_ENV).toBe('production');
    expect(hasDevelopmentRules(loadConfig(SampleConfig, {}).NODE_ENV)).toBe(false);
    expect(hasDevelopmentRules(loadConfig(SampleConfig, { NODE_ENV: 'development' }).NODE_ENV)).toBe(true);
    expect(hasDevelopmentRules(loadConfig(SampleConfig, { NODE_ENV: 'test' }).NODE_ENV)).toBe(true);
    expect(hasDevelopmentRules(undefined)).toBe(false);
  });

  it('converts and validates variables from the environment', () => {
    expect(loadConfig(SampleConfig, { SAMPLE_PORT: '4100' }).SAMPLE_PORT).toBe(4100);
  });

  it('names every bad variable', () => {
    let caught: unknown;
    try {
      loadConfig(SampleConfig, { SAMPLE_PORT: 'abc', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const message = (caught as ConfigError).message;
    expect(message).toContain('SAMPLE_PORT');
    expect(message).toContain('DATABASE_URL');
    expect(message).toContain('LOG_LEVEL');
  });
});

describe('loadConfig with X_FILE (compose secrets)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'load-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads X from the file X_FILE names when X is unset, without its trailing newline', () => {
    const file = path.join(dir, 'url');
    writeFileSync(file, 'postgres://app:s3cret@db/bank\n');
    expect(loadConfig(SampleConfig, { DATABASE_URL_FILE: file }).DATABASE_URL).toBe('postgres://app:s3cret@db/bank');
  });

  it('lets X itself win over X_FILE', () => {
    const file = path.join(dir, 'port');
    writeFileSync(file, '4200');
    expect(loadConfig(SampleConfig, { SAMPLE_PORT: '4100', SAMPLE_PORT_FILE: file }).SAMPLE_PORT).toBe(4100);
    expect(loadConfig(SampleConfig, { SAMPLE_PORT_FILE: file }).SAMPLE_PORT).toBe(4200);
  });

  it('names an unreadable file, and never echoes a bad value read from a file', () => {
    const file = path.join(dir, 'bad-port');
    writeFileSync(file, 'hunter2');
    let message = '';
    try {
      loadConfig(SampleConfig, { SAMPLE_PORT_FILE: file, DATABASE_URL_FILE: path.join(dir, 'missing') });
    } catch (error) {
      message = (error as ConfigError).message;
    }
    expect(message).toContain(`DATABASE_URL_FILE: cannot read ${path.join(dir, 'missing')} (ENOENT)`);
    expect(message).toContain('SAMPLE_PORT: ');
    expect(message).toContain('value not shown');
    expect(message).not.toContain('hunter2');
  });
});
