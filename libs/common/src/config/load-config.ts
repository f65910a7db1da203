import { readFileSync } from 'node:fs';
import { validateSync, type ValidationError } from 'class-validator';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads the environment into a validated config class. Property names are the variable names, so a
 * failure message names exactly the variable to fix. Defaults are the class's initialisers, whose
 * types (number, boolean, string) also say how each variable is read.
 */
export function loadConfig<T extends object>(schema: new () => T, env: NodeJS.ProcessEnv = process.env): T {
  const config = new schema();
  const target = config as Record<string, unknown>;
  const problems: string[] = [];
  const fromFile = new Set<string>();
  for (const [key, fallback] of Object.entries(target)) {
    const value = valueOf(key, env, problems, fromFile);
    if (value === undefined || value === '') continue;
    // The default's type says how to read the string; a bad value stays a string and fails validation.
    if (typeof fallback === 'number') target[key] = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
    else if (typeof fallback === 'boolean') target[key] = value === 'true' ? true : value === 'false' ? false : value;
    else target[key] = value;
  }
  const errors = validateSync(config, { skipMissingProperties: false, forbidUnknownValues: true });
  problems.push(...errors.map((error) => describe(error, fromFile.has(error.property))));
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

/**
 * X, or when X is unset the content of the file X_FILE names (Docker's convention for secrets: the
 * password sits in a file only its container can read, never in the environment or `docker inspect`).
 * One trailing newline is dropped. The content is never echoed, whatever its name.
 */
function valueOf(key: string, env: NodeJS.ProcessEnv, problems: string[], fromFile: Set<string>): string | undefined {
  const value = env[key];
  const file = env[`${key}_FILE`];
  if ((value !== undefined && value !== '') || file === undefined || file === '') return value;
  try {
    fromFile.add(key);
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    problems.push(`${key}_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
}

/** Names whose values must never be echoed (a bad secret still is a secret; URLs may carry passwords). */
const SECRET_NAME = /KEY|SECRET|PEPPER|PASSWORD|TOKEN|URL/i;

function describe(error: ValidationError, secret: boolean): string {
  const value =
    error.value === undefined
      ? 'missing'
      : secret || SECRET_NAME.test(error.property)
        ? 'value not shown'
        : `got ${JSON.stringify(error.value)}`;
  return `${error.property}: ${Object.values(error.constraints ?? {}).join('; ')} (${value})`;
}

/** Loads the config or exits the process at once with a message naming every bad variable. */
export function loadConfigOrExit<T extends object>(schema: new () => T, service: string): T {
  try {
    return loadConfig(schema);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${JSON.stringify({ level: 'fatal', service, msg: error.message, problems: error.problems })}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}
