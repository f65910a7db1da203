// Types of trust-keys.mjs, for the TypeScript tests that import it.

export const TRUST_KEY_PAIRS: readonly { name: string; type: 'x25519' | 'ed25519' }[];
export function ensureTrustKeys(dir: string): Promise<string[]>;
