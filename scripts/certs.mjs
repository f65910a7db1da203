// `npm run certs`: the development CA, one TLS identity per app plus `operator`, and the OTP seal
// and audit checkpoint key pairs, in certs/ (or $CERTS_DIR). Keeps what exists and is valid;
// `--force` renews everything (then restart every app). `--split DIR` also copies each app's own
// files into DIR/<app>/ (compose gives each app only its own volume; the CA key stays here), owned
// by `--owner UID:GID` when given (compose's one-shot runs as root; the apps run as `node`).
import { chmodSync, chownSync, copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { filesOf, IDENTITIES, writeCerts } from './lib/certs.mjs';
import { complain, loadDotEnv, say } from './lib/cli.mjs';
import { ROOT } from './lib/system.mjs';

const USAGE = 'usage: node scripts/certs.mjs [--force] [--split DIR [--owner UID:GID]]';

try {
  loadDotEnv();
  const { values } = parseArgs({
    options: { force: { type: 'boolean', default: false }, split: { type: 'string' }, owner: { type: 'string' } },
    strict: true,
  });
  const owner = values.owner === undefined ? undefined : /^(\d+):(\d+)$/.exec(values.owner);
  if (owner === null || (owner && !values.split)) throw new Error(USAGE);
  const dir = path.resolve(ROOT, process.env.CERTS_DIR || 'certs');
  const written = writeCerts(dir, { force: values.force });
  say(written.length === 0 ? `certs: ${dir} is up to date` : `certs: wrote ${written.join(', ')} in ${dir}`);
  if (values.split) {
    for (const identity of IDENTITIES.filter((i) => i !== 'operator')) {
      const target = path.resolve(values.split, identity);
      mkdirSync(target, { recursive: true });
      for (const file of filesOf(identity)) {
        const copy = path.join(target, file);
        copyFileSync(path.join(dir, file), copy);
        chmodSync(copy, file.endsWith('.key') ? 0o600 : 0o644);
        if (owner) chownSync(copy, Number(owner[1]), Number(owner[2]));
      }
      if (owner) chownSync(target, Number(owner[1]), Number(owner[2]));
    }
    say(`certs: each app's own files copied to ${path.resolve(values.split)}/<app>/`);
  }
} catch (error) {
  complain(`certs failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
