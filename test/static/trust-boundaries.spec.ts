import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InternalReads, PATTERN_CALLERS, SERVICE_IDENTITIES } from '@bank/contracts';
import { filesOf, IDENTITIES, KEY_PAIRS } from '../../scripts/lib/certs.mjs';

// Holds the README's "Trust boundaries" to the code: its diagram is the caller table of
// libs/contracts drawn, and certs.mjs writes exactly the identities the table knows.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

/** Who may call whom, from PATTERN_CALLERS (TCP commands) and InternalReads (HTTPS reads). */
export function trustDiagram(): string {
  const commands = new Map<string, string[]>();
  for (const [pattern, callers] of Object.entries(PATTERN_CALLERS)) {
    const [service, verb] = pattern.split('.');
    for (const caller of callers) commands.set(`${caller} ${service}`, [...(commands.get(`${caller} ${service}`) ?? []), verb]);
  }
  const reads = new Map<string, string[]>();
  for (const read of Object.values(InternalReads)) {
    for (const app of read.apps) {
      for (const caller of read.callers)
        reads.set(`${caller} ${app}`, [...(reads.get(`${caller} ${app}`) ?? []), read.route.replace(/^GET /, '')]);
    }
  }
  const edge =
    (arrow: string) =>
    ([pair, labels]: [string, string[]]) => {
      const [from, to] = pair.split(' ');
      return `  ${from} ${arrow}|"${labels.join(', ')}"| ${to}`;
    };
  return ['flowchart LR', '  operator([operator])', ...[...commands].map(edge('==>')), ...[...reads].map(edge('-.->'))].join('\n');
}

describe('README: Trust boundaries', () => {
  const section = readme.split(/^## /m).find((s) => s.startsWith('Trust boundaries')) ?? '';

  it('exists', () => {
    expect(section).not.toBe('');
  });

  it('draws exactly the caller table (regenerate the block from trustDiagram() when the table changes)', () => {
    const block = /```mermaid\n([\s\S]*?)\n```/.exec(section)?.[1];
    expect(block).toBe(trustDiagram());
  });

  it('names every file npm run certs writes', () => {
    for (const file of [
      'ca.crt',
      'ca.key',
      '<name>.crt',
      '<name>.key',
      ...Object.keys(KEY_PAIRS).flatMap((k) => [`${k}.key`, `${k}.pub`]),
    ]) {
      expect({ file, named: section.includes(file) }).toEqual({ file, named: true });
    }
  });
});

describe('scripts/lib/certs.mjs', () => {
  it('writes one identity per name of SERVICE_IDENTITIES', () => {
    expect([...IDENTITIES].sort()).toEqual([...SERVICE_IDENTITIES].sort());
  });

  it('gives each app its own key and never the CA key or another app key', () => {
    for (const app of IDENTITIES.filter((i) => i !== 'operator')) {
      const files = filesOf(app);
      expect(files).toContain(`${app}.key`);
      expect(files).not.toContain('ca.key');
      expect(files.filter((f) => f.endsWith('.key') && !KEY_PAIRS[f.replace(/\.key$/, '')])).toEqual([`${app}.key`]);
    }
  });
});
