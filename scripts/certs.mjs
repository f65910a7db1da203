// `npm run certs`: the development CA, one TLS identity per app plus `operator`, and the OTP seal
// and audit checkpoint key pairs, in certs/ (or $CERTS_DIR). Keeps what exists and is valid;
// `--force` renews everything (then restart every app). `--split DIR` also copies each app's own
// files into DIR/<app>/ (compose gives each app only its own volume; the CA key stays here).
import { copyFileSync, chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { filesOf, IDENTITIES, writeCerts } from './lib/certs.mjs';
import { complain, loadDotEnv, say } from './lib/cli.mjs';
import { ROOT } from './lib/system.mjs';

try {
  loadDotEnv();
  const args = process.argv.slice(2);
  const force = args.includes('--force');
  const splitAt = args.indexOf('--split');
  const split = splitAt === -1 ? undefined : args[splitAt + 1];
  const unknown = args.filter((a, i) => a !== '--force' && i !== splitAt && i !== splitAt + 1);
  if (unknown.length > 0 || (splitAt !== -1 && !split)) throw new Error('usage: node scripts/certs.mjs [--force] [--split DIR]');
  const dir = path.resolve(ROOT, process.env.CERTS_DIR || 'certs');
  const written = writeCerts(dir, { force });
  say(written.length === 0 ? `certs: ${dir} is up to date` : `certs: wrote ${written.join(', ')} in ${dir}`);
  if (split) {
    for (const identity of IDENTITIES.filter((i) => i !== 'operator')) {
      const target = path.resolve(split, identity);
      mkdirSync(target, { recursive: true, mode: 0o700 });
      for (const file of filesOf(identity)) {
        copyFileSync(path.join(dir, file), path.join(target, file));
        chmodSync(path.join(target, file), file.endsWith('.key') ? 0o600 : 0o644);
      }
    }
    say(`certs: each app's own files copied to ${path.resolve(split)}/<app>/`);
  }
} catch (error) {
  complain(`certs failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
