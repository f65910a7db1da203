import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { jest } from '@jest/globals';
import { IsBoolean, IsIn, IsInt, IsNumber, IsString, Max, Min } from 'class-validator';
import { BaseConfig, hasDevelopmentRules } from './base.config.js';
import { ConfigError, loadConfig, loadConfigOrExit } from './load-config.js';

class SampleConfig extends BaseConfig {
  @IsInt()
  @Min(1)
  @Max(65535)
  SAMPLE_PORT = 4000;
}

/** One variable of each kind the defaults can say: number, boolean, string. */
class KindsConfig {
  @IsNumber()
  RATIO = 0.5;

  @IsBoolean()
  ENABLED = false;

  @IsString()
  NAME = 'bank';

  @IsIn(['a', 'b'])
  CHOICE = 'a';
}

/** A variable with no default: required. */
class RequiredConfig {
  @IsString()
  REQUIRED: string | undefined = undefined;
}

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
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

  it('reads a number variable as a decimal number, negative or with a fraction, and nothing else', () => {
    for (const [text, value] of [
      ['7', 7],
      ['-2', -2],
      ['1.5', 1.5],
      ['-0.25', -0.25],
      ['10.125', 10.125],
    ] as const) {
      expect(loadConfig(KindsConfig, { RATIO: text }).RATIO).toBe(value);
    }
    // Number() would read these; a variable must be written as a plain decimal, or it is refused as written.
    for (const text of ['0x10', '1e3', ' 7', '7 ', 'x7', '7x', '1.', '.5', '--1', 'Infinity']) {
      expect(problemsOf(() => loadConfig(KindsConfig, { RATIO: text }))).toEqual([
        `RATIO: RATIO must be a number conforming to the specified constraints (got ${JSON.stringify(text)})`,
      ]);
    }
  });

  it('reads a boolean variable from exactly "true" or "false"', () => {
    expect(loadConfig(KindsConfig, { ENABLED: 'true' }).ENABLED).toBe(true);
    expect(loadConfig(KindsConfig, { ENABLED: 'false' }).ENABLED).toBe(false);
    for (const text of ['1', 'yes', 'TRUE', 'False']) {
      expect(problemsOf(() => loadConfig(KindsConfig, { ENABLED: text }))).toEqual([
        `ENABLED: ENABLED must be a boolean value (got ${JSON.stringify(text)})`,
      ]);
    }
  });

  it('keeps a string variable as written, even when it looks like a number or a boolean', () => {
    expect(loadConfig(KindsConfig, { NAME: '4100' }).NAME).toBe('4100');
    expect(loadConfig(KindsConfig, { NAME: 'true' }).NAME).toBe('true');
  });

  it('treats an empty variable as unset: the default applies', () => {
    expect(loadConfig(KindsConfig, { RATIO: '', ENABLED: '', NAME: '' })).toMatchObject({ RATIO: 0.5, ENABLED: false, NAME: 'bank' });
  });

  it('reads only the variables the class declares', () => {
    const config = loadConfig(KindsConfig, { OTHER: 'x' });
    expect(Object.keys(config).sort()).toEqual(['CHOICE', 'ENABLED', 'NAME', 'RATIO']);
  });

  it('returns a frozen config: nothing changes it after the checks', () => {
    expect(Object.isFrozen(loadConfig(KindsConfig, {}))).toBe(true);
  });

  it('refuses a required variable that is missing, and says so', () => {
    expect(problemsOf(() => loadConfig(RequiredConfig, {}))).toEqual(['REQUIRED: REQUIRED must be a string (missing)']);
    expect(loadConfig(RequiredConfig, { REQUIRED: 'x' }).REQUIRED).toBe('x');
  });

  it('refuses a config class without a single rule: it would let any value through', () => {
    class Unchecked {
      PORT = 1;
    }
    const problems = problemsOf(() => loadConfig(Unchecked, { PORT: 'anything' }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('an unknown value was passed to the validate function');
  });

  it('names every bad variable, with every rule it breaks and the value it got', () => {
    let caught: unknown;
    try {
      loadConfig(SampleConfig, { SAMPLE_PORT: 'abc', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.name).toBe('ConfigError');
    const sample = error.problems.find((p) => p.startsWith('SAMPLE_PORT'));
    expect(sample?.startsWith('SAMPLE_PORT: ')).toBe(true);
    expect(sample?.slice('SAMPLE_PORT: '.length).split(' (')[0].split('; ').sort()).toEqual([
      'SAMPLE_PORT must be an integer number',
      'SAMPLE_PORT must not be greater than 65535',
      'SAMPLE_PORT must not be less than 1',
    ]);
    expect(sample).toMatch(/ \(got "abc"\)$/);
    expect(error.problems.filter((p) => !p.startsWith('SAMPLE_PORT'))).toEqual([
      'DATABASE_URL: DATABASE_URL must be a postgres:// URL (value not shown)',
      'LOG_LEVEL: LOG_LEVEL must be one of the following values: fatal, error, warn, info, debug, trace, silent (got "loud")',
    ]);
    expect(error.message).toBe(`Invalid configuration:\n${error.problems.map((p) => `  - ${p}`).join('\n')}`);
  });

  it('never echoes the value of a variable named like a secret or a URL (it may carry a password)', () => {
    class Secrets {
      @IsIn(['ok']) SIGNING_KEY = 'ok';
      @IsIn(['ok']) JWT_SECRET = 'ok';
      @IsIn(['ok']) OTP_PEPPER = 'ok';
      @IsIn(['ok']) DB_PASSWORD = 'ok';
      @IsIn(['ok']) API_TOKEN = 'ok';
      @IsIn(['ok']) AMQP_URL = 'ok';
      @IsIn(['ok']) jwt_secret_lower = 'ok';
    }
    const env = Object.fromEntries(Object.keys(new Secrets()).map((name) => [name, 'hunter2']));
    const problems = problemsOf(() => loadConfig(Secrets, env));
    expect(problems).toHaveLength(7);
    for (const problem of problems) expect(problem).toMatch(/\(value not shown\)$/);
    expect(problems.join('\n')).not.toContain('hunter2');
  });
});

describe('loadConfigOrExit', () => {
  const name = 'LOAD_CONFIG_SPEC_PORT';
  class ExitConfig {
    @IsInt()
    @Min(1)
    LOAD_CONFIG_SPEC_PORT = 1;
  }

  // A real exit would end the test process: every test here exits by throwing instead.
  let exit: ReturnType<typeof mockExit>;
  let written: string[];
  const mockExit = () =>
    jest.spyOn(process, 'exit').mockImplementation((code?: string | number | null) => {
      throw new Error(`exit ${code}`);
    });
  beforeEach(() => {
    exit = mockExit();
    written = [];
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    delete process.env[name];
    jest.restoreAllMocks();
  });

  it('returns the config read from the process environment', () => {
    process.env[name] = '8080';
    expect(loadConfigOrExit(ExitConfig, 'sample').LOAD_CONFIG_SPEC_PORT).toBe(8080);
    expect(exit).not.toHaveBeenCalled();
  });

  it('writes one fatal JSON line naming every problem and exits with EX_CONFIG (78)', () => {
    process.env[name] = 'zero';
    expect(() => loadConfigOrExit(ExitConfig, 'sample')).toThrow('exit 78');
    expect(exit).toHaveBeenCalledTimes(1);
    expect(written).toHaveLength(1);
    expect(written[0].endsWith('\n')).toBe(true);
    const problems = problemsOf(() => loadConfig(ExitConfig, { [name]: 'zero' }));
    expect(JSON.parse(written[0])).toEqual({
      level: 'fatal',
      service: 'sample',
      msg: `Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      problems,
    });
  });

  it('lets any other error through, without exiting', () => {
    class Broken {
      constructor() {
        throw new TypeError('not a config');
      }
    }
    expect(() => loadConfigOrExit(Broken, 'sample')).toThrow(TypeError);
    expect(exit).not.toHaveBeenCalled();
    expect(written).toEqual([]);
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
