// Types of certs.mjs, for the TypeScript tests that make a CA of their own.

/** Every TLS identity, in the order certs.mjs writes them. */
export const IDENTITIES: readonly string[];
/** Key pairs that are not TLS identities, name -> key type. */
export const KEY_PAIRS: Readonly<Record<string, string>>;
/** Writes what is missing (or everything with force) into dir; returns the file names written. */
export function writeCerts(dir: string, options?: { force?: boolean }): string[];
/** The files one app's container gets. */
export function filesOf(identity: string): string[];
/** A non-negative big-endian integer as a DER INTEGER (tag, length, shortest two's complement content). */
export function derInteger(buffer: Buffer): Buffer;
