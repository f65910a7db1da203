// `npm run migrate`: the documented migration step. Creates the database when missing, then runs
// every app's own migrations (each in its own schema) in start order. start:all runs the same
// migrateAll(); docker compose runs this file as its one-shot `migrate` service.
import os from 'node:os';
import { ensureDatabase, migrateAll, portsFromEnv, systemEnv } from './lib/system.mjs';
import { appsFromArgs, complain, loadDotEnv, redactUrl, say } from './lib/cli.mjs';

try {
  loadDotEnv();
  const env = systemEnv({ ports: portsFromEnv() });
  if (await ensureDatabase(env.DATABASE_URL)) say(`created database ${redactUrl(env.DATABASE_URL)}`);
  say(`migrating ${redactUrl(env.DATABASE_URL)}`);
  // One app process per core: each boots the whole app, so more at once only stretches every boot.
  // A one-shot step (compose's `migrate`) waits as long as a loaded machine needs rather than kill a
  // migration at the harness's 60 s: two cores shared with other work took 68 s for seven apps.
  const concurrency = os.availableParallelism();
  const timeoutMs = 300_000;
  for (const { app, migrations, ms } of await migrateAll({ env, apps: appsFromArgs(), concurrency, timeoutMs })) {
    say(`  ${app.padEnd(14)} ${migrations.length === 0 ? 'up to date' : `applied ${migrations.join(', ')}`} (${ms} ms)`);
  }
} catch (error) {
  complain(`migrate failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
