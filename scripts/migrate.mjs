// `npm run migrate`: the documented migration step. From DATABASE_ADMIN_URL it creates the database
// when missing and provisions each app's roles and schema (scripts/lib/provision.mjs; passwords
// are left as they are), then runs every app's own migrations as the app's owner role, in start
// order. start:all runs the same steps; docker compose runs this file as its one-shot `migrate` service.
//
// With CREDENTIALS_DIR (compose's one-shot) it also provisions the broker users (AMQP_URL,
// RABBITMQ_ADMIN_URL) and writes each app's own URLs to CREDENTIALS_DIR/<app>/DATABASE_URL and
// .../AMQP_URL (and the operator's to CREDENTIALS_DIR/operator/AMQP_URL), for the apps' *_FILE
// variables: each container mounts only its own directory. A password found there is kept, so a
// second `compose up` does not pull the ground from under running apps; a new one is random.
// CREDENTIALS_OWNER=<uid>:<gid> hands each directory and file to the apps' user (compose: node,
// 1000:1000; the one-shot runs as root to write into the volumes), readable by that user only.
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  adminDatabaseUrl,
  DEFAULT_DATABASE_ADMIN_URL,
  DEFAULT_RABBITMQ_ADMIN_URL,
  DEFAULT_ROLE_PREFIX,
  ensureManagementApi,
  OPERATOR,
  provisionSystem,
} from './lib/provision.mjs';
import { ensureDatabase, migrateAll, portsFromEnv, systemEnv } from './lib/system.mjs';
import { appsFromArgs, complain, loadDotEnv, redactUrl, say } from './lib/cli.mjs';

try {
  loadDotEnv();
  const env = systemEnv({ ports: portsFromEnv() });
  const apps = appsFromArgs();
  const adminUrl = env.DATABASE_ADMIN_URL || DEFAULT_DATABASE_ADMIN_URL;
  const databaseUrl = adminDatabaseUrl(adminUrl, env.DATABASE_URL);
  if (await ensureDatabase(databaseUrl)) say(`created database ${redactUrl(databaseUrl)}`);
  const prefix = env.ROLE_PREFIX || DEFAULT_ROLE_PREFIX;
  const credentialsDir = env.CREDENTIALS_DIR;
  const rabbitmqAdminUrl = env.RABBITMQ_ADMIN_URL || DEFAULT_RABBITMQ_ADMIN_URL;
  // Compose starts this once the broker takes AMQP connections; its management API may come a little later.
  if (credentialsDir) await ensureManagementApi(rabbitmqAdminUrl, { waitMs: 120_000 });
  const { migrate, ...handedOut } = await provisionSystem({
    apps,
    databaseUrl: env.DATABASE_URL,
    databaseAdminUrl: adminUrl,
    prefix,
    ...(credentialsDir
      ? {
          amqpUrl: env.AMQP_URL,
          exchange: env.EVENTS_EXCHANGE,
          rabbitmqAdminUrl,
          passwords: passwordsIn(credentialsDir, [...apps, OPERATOR]),
        }
      : { passwords: 'keep' }),
  });
  if (credentialsDir) {
    const owner = ownerOf(env.CREDENTIALS_OWNER);
    for (const [app, urls] of [...Object.entries(handedOut.apps), [OPERATOR, handedOut.operator]]) {
      const dir = path.join(credentialsDir, app);
      mkdirSync(dir, { recursive: true });
      handOver(dir, 0o700, owner);
      for (const [name, value] of Object.entries(urls)) {
        // A new file renamed over the old: a reader never sees half of one, and a read-only old one is no obstacle.
        const file = path.join(dir, name);
        rmSync(`${file}.new`, { force: true });
        writeFileSync(`${file}.new`, `${value}\n`, { mode: 0o400 });
        handOver(`${file}.new`, 0o400, owner);
        renameSync(`${file}.new`, file);
      }
    }
    say(`provisioned roles and broker users ${prefix}<app>; each app's URLs in ${credentialsDir}/<app>/`);
  }
  say(`migrating ${redactUrl(databaseUrl)} as the owner roles ${prefix}<app>_owner`);
  // One app process per core: each boots the whole app, so more at once only stretches every boot.
  // A one-shot step (compose's `migrate`) waits as long as a loaded machine needs rather than kill a
  // migration at the harness's 60 s: two cores shared with other work took 68 s for seven apps.
  const concurrency = os.availableParallelism();
  const timeoutMs = 300_000;
  for (const { app, migrations, ms } of await migrateAll({ env, appEnv: migrate, apps, concurrency, timeoutMs })) {
    say(`  ${app.padEnd(14)} ${migrations.length === 0 ? 'up to date' : `applied ${migrations.join(', ')}`} (${ms} ms)`);
  }
} catch (error) {
  complain(`migrate failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

/** `uid:gid` as numbers, or undefined when not given. */
function ownerOf(spec) {
  if (!spec) return undefined;
  const match = /^(\d+):(\d+)$/.exec(spec);
  if (!match) throw new Error(`CREDENTIALS_OWNER must be <uid>:<gid>, got ${JSON.stringify(spec)}`);
  return { uid: Number(match[1]), gid: Number(match[2]) };
}

/** `mode` (whatever the umask made of it), and the owner when one is given. */
function handOver(target, mode, owner) {
  if (owner) chownSync(target, owner.uid, owner.gid);
  chmodSync(target, mode);
}

/** The passwords already handed out (in the URLs written last time), so they stay the same. */
function passwordsIn(dir, names) {
  const found = {};
  for (const name of names) {
    for (const file of ['DATABASE_URL', 'AMQP_URL']) {
      const where = path.join(dir, name, file);
      if (found[name] !== undefined || !existsSync(where)) continue;
      const password = decodeURIComponent(new URL(readFileSync(where, 'utf8').trim()).password);
      if (password) found[name] = password;
    }
  }
  return found;
}
