// `npm run migrate`: the documented migration step. From DATABASE_ADMIN_URL it creates the database
// when missing and provisions each app's roles and schema (scripts/lib/provision.mjs; passwords
// are left as they are), then runs every app's own migrations as the app's owner role, in start
// order. start:all runs the same steps; docker compose runs this file as its one-shot `migrate` service.
import os from 'node:os';
import { adminDatabaseUrl, DEFAULT_DATABASE_ADMIN_URL, DEFAULT_ROLE_PREFIX, provisionSystem } from './lib/provision.mjs';
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
  const { migrate } = await provisionSystem({ apps, databaseUrl: env.DATABASE_URL, databaseAdminUrl: adminUrl, prefix, passwords: 'keep' });
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
