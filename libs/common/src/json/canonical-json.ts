/**
 * JSON with object keys sorted (by UTF-16 code units) at every level and no whitespace: the same
 * value always gives the same text, whatever order its keys were written or stored in (jsonb
 * reorders them). Numbers and strings serialise as JSON.stringify does, as in RFC 8785. What a hash
 * of a value covers (the audit chain, an idempotency key's request fingerprint).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    return text === undefined ? 'null' : text;
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
