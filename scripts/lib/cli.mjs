// Small helpers shared by the command-line scripts (migrate, start-all); not used by tests.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { APPS, ROOT } from './system.mjs';

/** Reads ./.env when present; variables already in the environment win, as with docker compose. */
export function loadDotEnv(file = path.join(ROOT, '.env')) {
  if (!existsSync(file)) return undefined;
  for (const [key, value] of Object.entries(parseEnv(readFileSync(file, 'utf8')))) {
    if (process.env[key] === undefined) process.env[key] = value;
  }
  return file;
}

/** `--apps=accounts,ledger` (or `--apps accounts,ledger`) to run a subset; all apps otherwise. */
export function appsFromArgs(argv = process.argv.slice(2)) {
  const i = argv.findIndex((a) => a === '--apps' || a.startsWith('--apps='));
  if (i === -1) return [...APPS];
  const list = argv[i].includes('=') ? argv[i].slice('--apps='.length) : argv[i + 1];
  const apps = (list ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  if (apps.length === 0) throw new Error('--apps needs a comma-separated list of apps');
  return apps;
}

/** The URL without its password, fit for a terminal. */
export function redactUrl(raw) {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(unparsable URL)';
  }
}

export const say = (line = '') => process.stdout.write(`${line}\n`);
export const complain = (line) => process.stderr.write(`${line}\n`);
