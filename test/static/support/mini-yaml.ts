/**
 * A deliberately small YAML reader for the static tests, so that holding docker-compose.yml to the
 * code needs no YAML dependency. It reads the subset that file uses: block mappings and sequences,
 * `- key: value` items, one-line flow sequences of scalars, quoted and plain scalars, comments,
 * anchors, aliases and `<<` merge keys. Anything else is refused with the line number rather than
 * misread; extend this file (and mini-yaml.spec.ts) when the compose file needs more.
 */
export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };
export type YamlMap = { [key: string]: YamlValue };

interface Line {
  indent: number;
  text: string;
  no: number;
}

export class YamlSubsetError extends Error {
  constructor(message: string, line?: number) {
    super(line === undefined ? `mini-yaml: ${message}` : `mini-yaml: line ${line}: ${message}`);
    this.name = 'YamlSubsetError';
  }
}

export function parseYaml(source: string): YamlValue {
  const lines = toLines(source);
  if (lines.length === 0) return null;
  const parser = new Parser(lines);
  const value = parser.node(lines[0].indent);
  if (parser.pos < lines.length) throw new YamlSubsetError('unexpected indentation', lines[parser.pos].no);
  return value;
}

function toLines(source: string): Line[] {
  const out: Line[] = [];
  let open: Line | undefined; // a flow sequence still waiting for its `]`
  let depth = 0;
  source.split(/\r?\n/).forEach((raw, i) => {
    if (/^\s*\t/.test(raw)) throw new YamlSubsetError('tab indentation', i + 1);
    const text = stripComment(raw).trimEnd();
    if (text.trim() === '') return;
    if (/^(---|\.\.\.)\s*$/.test(text)) throw new YamlSubsetError('multiple documents are not supported', i + 1);
    // Prettier breaks long flow sequences over several lines: join them back into the line that opened them.
    if (open) {
      open.text += (open.text.endsWith('[') ? '' : ' ') + text.trim();
    } else {
      open = { indent: text.length - text.trimStart().length, text: text.trimStart(), no: i + 1 };
      out.push(open);
    }
    depth += bracketDelta(text);
    if (depth <= 0) {
      depth = 0;
      open = undefined;
    }
  });
  if (open) throw new YamlSubsetError('unterminated flow sequence', open.no);
  return out;
}

/** `[` minus `]` outside quotes. */
function bracketDelta(text: string): number {
  let quote: string | null = null;
  let delta = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote === '"' && c === '\\') i++;
    else if (quote !== null && c === quote) quote = null;
    else if (quote === null && (c === '"' || c === "'")) quote = c;
    else if (quote === null && c === '[') delta++;
    else if (quote === null && c === ']') delta--;
  }
  return delta;
}

/** Drops a `#` comment that starts the line or follows whitespace, outside quotes. */
function stripComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote === '"' && c === '\\') i++;
    else if (quote !== null && c === quote) quote = null;
    else if (quote === null && (c === '"' || c === "'") && (i === 0 || /[\s[,:-]/.test(line[i - 1]))) quote = c;
    else if (quote === null && c === '#' && (i === 0 || /\s/.test(line[i - 1]))) return line.slice(0, i);
  }
  return line;
}

/** Index of the `:` that ends a mapping key (followed by a space or the end), outside quotes. */
function keyColon(text: string): number {
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote === '"' && c === '\\') i++;
    else if (quote !== null && c === quote) quote = null;
    else if (quote === null && i === 0 && (c === '"' || c === "'")) quote = c;
    else if (quote === null && c === ':' && (i === text.length - 1 || text[i + 1] === ' ')) return i;
  }
  return -1;
}

const isSeqItem = (text: string) => text === '-' || text.startsWith('- ');

class Parser {
  pos = 0;
  private readonly anchors = new Map<string, YamlValue>();

  constructor(private readonly lines: Line[]) {}

  node(indent: number): YamlValue {
    const line = this.lines[this.pos];
    if (line.indent !== indent) throw new YamlSubsetError(`expected indentation ${indent}, got ${line.indent}`, line.no);
    return isSeqItem(line.text) ? this.sequence(indent) : this.mapping(indent);
  }

  private sequence(indent: number): YamlValue[] {
    const items: YamlValue[] = [];
    while (this.pos < this.lines.length) {
      const line = this.lines[this.pos];
      // A key at the same indentation ends a compact sequence (`key:` then `- item` at the key's column).
      if (line.indent < indent || (line.indent === indent && !isSeqItem(line.text))) break;
      if (line.indent > indent) throw new YamlSubsetError('bad indentation in a sequence', line.no);
      const rest = line.text.slice(1).trimStart();
      if (rest === '') {
        this.pos++;
        items.push(this.nested(indent, line.no));
      } else if (keyColon(rest) > 0 && !/^["'[*&]/.test(rest)) {
        // `- key: value`: the item is a mapping whose keys line up after the dash.
        const column = indent + (line.text.length - rest.length);
        this.lines[this.pos] = { indent: column, text: rest, no: line.no };
        items.push(this.mapping(column));
      } else {
        this.pos++;
        items.push(this.inline(rest, line.no));
      }
    }
    return items;
  }

  private mapping(indent: number): YamlMap {
    const explicit: YamlMap = {};
    const merged: YamlMap = {};
    while (this.pos < this.lines.length) {
      const line = this.lines[this.pos];
      if (line.indent < indent) break;
      if (line.indent > indent) throw new YamlSubsetError('bad indentation in a mapping', line.no);
      if (isSeqItem(line.text)) break; // a compact sequence belonging to the parent key
      const colon = keyColon(line.text);
      if (colon <= 0) throw new YamlSubsetError(`expected "key: value", got ${JSON.stringify(line.text)}`, line.no);
      const key = this.key(line.text.slice(0, colon), line.no);
      let rest = line.text.slice(colon + 1).trim();
      this.pos++;
      let anchor: string | undefined;
      const anchored = /^&([\w-]+)(?:\s+(.*))?$/.exec(rest);
      if (anchored) {
        anchor = anchored[1]!;
        rest = anchored[2] ?? '';
      }
      let value: YamlValue;
      if (rest !== '') value = this.inline(rest, line.no);
      else {
        const next = this.lines[this.pos];
        const compactSeq = next !== undefined && next.indent === indent && isSeqItem(next.text);
        if (next !== undefined && next.indent > indent && next.text.startsWith('[')) {
          // `key:` with its flow sequence on the next line(s), as Prettier writes long ones.
          this.pos++;
          value = this.inline(next.text, next.no);
        } else value = next !== undefined && (next.indent > indent || compactSeq) ? this.node(next.indent) : null;
      }
      if (anchor !== undefined) this.anchors.set(anchor, value);
      if (key === '<<') {
        for (const source of Array.isArray(value) ? value : [value]) {
          if (source === null || typeof source !== 'object' || Array.isArray(source))
            throw new YamlSubsetError('<< needs a mapping', line.no);
          for (const [k, v] of Object.entries(source)) if (!(k in merged)) merged[k] = v;
        }
      } else {
        if (key in explicit) throw new YamlSubsetError(`duplicate key ${key}`, line.no);
        explicit[key] = value;
      }
    }
    // Explicit keys win over merged ones wherever they appear, as YAML's merge key specifies.
    return { ...merged, ...explicit };
  }

  private nested(indent: number, no: number): YamlValue {
    const next = this.lines[this.pos];
    if (next === undefined || next.indent <= indent) throw new YamlSubsetError('empty sequence item', no);
    return this.node(next.indent);
  }

  private key(raw: string, no: number): string {
    const k = raw.trim();
    if (k.startsWith('"') || k.startsWith("'")) {
      const value = scalar(k, no);
      if (typeof value !== 'string') throw new YamlSubsetError('bad quoted key', no);
      return value;
    }
    if (/^[?{[&*!|>%@`]/.test(k)) throw new YamlSubsetError(`unsupported key ${k}`, no);
    return k;
  }

  private inline(text: string, no: number): YamlValue {
    if (text.startsWith('*')) {
      const name = text.slice(1);
      if (!this.anchors.has(name)) throw new YamlSubsetError(`unknown alias *${name}`, no);
      return this.anchors.get(name)!;
    }
    if (text.startsWith('[')) return flowSequence(text, no);
    if (/^[{|>!&%@`]/.test(text)) throw new YamlSubsetError(`unsupported value ${JSON.stringify(text)}`, no);
    return scalar(text, no);
  }
}

function flowSequence(text: string, no: number): YamlValue[] {
  if (!text.endsWith(']')) throw new YamlSubsetError('a flow sequence must end on its line', no);
  const body = text.slice(1, -1);
  const items: string[] = [];
  let current = '';
  let quote: string | null = null;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (quote === '"' && c === '\\') {
      current += c + (body[i + 1] ?? '');
      i++;
      continue;
    }
    if (quote !== null && c === quote) quote = null;
    else if (quote === null && (c === '"' || c === "'") && current.trim() === '') quote = c;
    else if (quote === null && (c === '[' || c === '{')) throw new YamlSubsetError('nested flow collections are not supported', no);
    else if (quote === null && c === ',') {
      if (current.trim() === '') throw new YamlSubsetError('empty flow item', no);
      items.push(current.trim());
      current = '';
      continue;
    }
    current += c;
  }
  if (quote !== null) throw new YamlSubsetError('unterminated quote', no);
  // Nothing after the last comma is YAML's allowed trailing comma (Prettier writes one).
  if (current.trim() !== '') items.push(current.trim());
  return items.map((item) => scalar(item, no));
}

function scalar(text: string, no: number): YamlValue {
  if (text.startsWith('"')) {
    if (!text.endsWith('"') || text.length < 2) throw new YamlSubsetError('unterminated double quote', no);
    try {
      return JSON.parse(text) as string;
    } catch {
      throw new YamlSubsetError(`unsupported escape in ${text}`, no);
    }
  }
  if (text.startsWith("'")) {
    if (!text.endsWith("'") || text.length < 2) throw new YamlSubsetError('unterminated single quote', no);
    return text.slice(1, -1).replace(/''/g, "'");
  }
  if (text === '~' || text === 'null' || text === 'Null' || text === 'NULL') return null;
  if (/^(true|True|TRUE)$/.test(text)) return true;
  if (/^(false|False|FALSE)$/.test(text)) return false;
  if (/^[-+]?\d+$/.test(text)) return Number(text);
  if (/^[-+]?(\d+\.\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return Number(text);
  return text;
}
