import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseYaml, YamlSubsetError } from './support/mini-yaml.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface JsYaml {
  load(text: string, options?: { schema: unknown }): unknown;
  CORE_SCHEMA?: { withTags(...tags: unknown[]): unknown };
  mergeTag?: unknown;
}

describe('mini-yaml (the YAML subset the static tests read)', () => {
  it('reads mappings, sequences, scalars, comments and flow sequences', () => {
    const text = [
      '# a comment',
      'name: bank   # trailing comment',
      'count: 3',
      'ratio: 1.5',
      'on: true',
      'nothing:',
      'quoted: "a # not a comment: \\"x\\""',
      "single: 'it''s'",
      'url: postgres://u:p@h:5432/db',
      'list:',
      '  - "3000:3000"',
      '  - plain',
      'compact:',
      '- one',
      'items:',
      '  - key: value',
      '    other: 2',
      '  - solo',
      'test: ["CMD", "node", "-e", "fetch(\'x\').then((r) => exit(r ? 0 : 1), () => 1)"]',
      'empty: []',
      'wrapped:',
      '  [',
      "    'a',",
      '    "b, [c]",',
      '  ]',
      'after: x',
    ].join('\n');
    expect(parseYaml(text)).toEqual({
      name: 'bank',
      count: 3,
      ratio: 1.5,
      on: true,
      nothing: null,
      quoted: 'a # not a comment: "x"',
      single: "it's",
      url: 'postgres://u:p@h:5432/db',
      list: ['3000:3000', 'plain'],
      compact: ['one'],
      items: [{ key: 'value', other: 2 }, 'solo'],
      test: ['CMD', 'node', '-e', "fetch('x').then((r) => exit(r ? 0 : 1), () => 1)"],
      empty: [],
      wrapped: ['a', 'b, [c]'],
      after: 'x',
    });
  });

  it('resolves anchors, aliases and merge keys, explicit keys winning', () => {
    const text = ['base: &base', '  a: 1', '  b: 2', 'copy: *base', 'child:', '  b: 20', '  <<: *base', '  c: 3'].join('\n');
    expect(parseYaml(text)).toEqual({ base: { a: 1, b: 2 }, copy: { a: 1, b: 2 }, child: { a: 1, b: 20, c: 3 } });
  });

  it.each([
    ['a flow mapping', 'a: { b: 1 }'],
    ['a block scalar', 'a: |\n  text'],
    ['an unknown alias', 'a: *nope'],
    ['a duplicate key', 'a: 1\na: 2'],
    ['a bad indentation', 'a:\n    b: 1\n  c: 2'],
    ['a second document', 'a: 1\n---\nb: 2'],
    ['an unterminated flow sequence', 'a: [1,\n  2'],
    ['an empty flow item', 'a: [1,, 2]'],
  ])('refuses %s instead of misreading it', (_what, text) => {
    expect(() => parseYaml(text)).toThrow(YamlSubsetError);
  });

  it('reads docker-compose.yml exactly as a full YAML parser does (when js-yaml is installed)', async () => {
    const compose = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
    // js-yaml is only a transitive dependency (of @nestjs/swagger); the check is a bonus, not a need.
    const name = 'js-yaml';
    const jsYaml = (await import(name).catch(() => undefined)) as JsYaml | undefined;
    const ours = parseYaml(compose);
    expect(ours).toHaveProperty('services.orchestrator');
    if (!jsYaml) return;
    // js-yaml 5 reads YAML 1.2 core, without `<<`, unless asked; docker compose does merge keys.
    const options = jsYaml.mergeTag && jsYaml.CORE_SCHEMA ? { schema: jsYaml.CORE_SCHEMA.withTags(jsYaml.mergeTag) } : undefined;
    expect(ours).toEqual(jsYaml.load(compose, options));
  });
});
