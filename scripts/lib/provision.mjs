// Least privilege for the data plane: the one place that creates the Postgres roles and RabbitMQ
// users of the system and grants them what each app needs, nothing more. `npm run migrate`,
// `npm run start:all`, the end-to-end harness and compose's one-shot all call provisionSystem(), so
// the rights the tests prove are the rights every deployment gets. Plain ESM JavaScript (no build
// step), like system.mjs; its types are in provision.d.mts.
//
// Postgres, per app: a NOLOGIN owner role `<prefix><app>_owner` owns the app's schema and
// everything in it (migrations run as it: the admin connection does `SET ROLE` through the startup
// option `role`), and a LOGIN runtime role `<prefix><app>` has USAGE on that schema and DML on its
// tables (audit: SELECT and INSERT only), through default privileges so that tables of later
// migrations are covered. No app role is superuser, owner or member of another role, so none can
// disable a trigger, set session_replication_role or TRUNCATE.
// RabbitMQ, per app that uses the broker: a user `<prefix><app>` whose vhost permissions allow a
// producer to declare and write the events exchange only, and a subscriber to declare, read and
// write its own queues (reading the exchange to bind them, writing amq.default to move a message to
// its retry queue or DLQ). The `<prefix>operator` user (people, tests, redrive) may read every
// subscriber's queues and write amq.default and the events exchange, with the `impersonator` tag so
// that redrive can hand a parked message back with its original user_id.
import { spawnSync } from 'node:child_process';
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

export const DEFAULT_DATABASE_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const DEFAULT_RABBITMQ_ADMIN_URL = 'http://guest:guest@127.0.0.1:15672';
/** Roles and broker users are cluster-wide: the prefix keeps systems (and test runs) apart. */
export const DEFAULT_ROLE_PREFIX = 'bank_';

const DML = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'];

/**
 * What each app may do. `tables`: its runtime role's rights on every table of its schema, present
 * and future. `extensions`: created by the admin (CREATE EXTENSION needs more than the owner has).
 * `broker`: producer (writes the events exchange) or subscriber (its own queues only).
 * The producers here are the services of EVENT_PRODUCERS in libs/contracts (test/static checks it).
 */
export const DATA_PLANE = Object.freeze({
  accounts: { schema: 'accounts', tables: DML, broker: 'producer' },
  ledger: { schema: 'ledger', tables: DML },
  auth: { schema: 'auth', tables: DML, broker: 'producer', extensions: ['btree_gist'] },
  notifications: { schema: 'notifications', tables: DML, broker: 'subscriber' },
  // Append-only: every table (the trail, the inbox, and any later one such as signed checkpoints)
  // can be read and added to, never changed. The triggers that refuse changes belong to the owner.
  // The exception: inbox_failures (where an event not yet applied sits) is bookkeeping, not record,
  // changed and pruned like any subscriber's; its migration grants the same (grantInboxFailuresSql).
  audit: { schema: 'audit', tables: ['SELECT', 'INSERT'], tableRights: { inbox_failures: ['UPDATE', 'DELETE'] }, broker: 'subscriber' },
  analytics: { schema: 'analytics', tables: DML, broker: 'subscriber' },
  orchestrator: { schema: 'orchestrator', tables: DML, broker: 'producer' },
});

export const OPERATOR = 'operator';

/** `<prefix><app>`: the runtime role and the broker user of an app (`<prefix>operator` for people and tools). */
export const runtimeRole = (prefix, app) => `${prefix}${app}`;
export const ownerRole = (prefix, app) => `${prefix}${app}_owner`;

const PREFIX_PATTERN = /^[a-z][a-z0-9_]{0,30}$/;

function plan(app) {
  return DATA_PLANE[app] ?? fail(`no data-plane rights for app "${app}": add it to scripts/lib/provision.mjs`);
}

const ident = (name) => `"${name.replace(/"/g, '""')}"`;
const literal = (text) => `'${text.replace(/'/g, "''")}'`;

/** A fresh password: URL-safe, so it can sit in a URL as is. */
export function generatePassword() {
  return randomBytes(24).toString('base64url');
}

/**
 * The SCRAM-SHA-256 verifier of a password (RFC 5802/7677, Postgres' format): the server stores and
 * logs only this, never the password, even with log_statement = all.
 */
export function scramVerifier(password, salt = randomBytes(16), iterations = 4096) {
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

function databaseName(url) {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
}

/** `url` with its user and password replaced. */
function withCredentials(raw, user, password) {
  const url = new URL(raw);
  url.username = encodeURIComponent(user);
  url.password = password === undefined ? '' : encodeURIComponent(password);
  return url.toString();
}

/** The admin URL pointed at the database of `databaseUrl` (e.g. for ensureDatabase). */
export function adminDatabaseUrl(adminUrl, databaseUrl) {
  const url = new URL(adminUrl);
  url.pathname = `/${encodeURIComponent(databaseName(databaseUrl))}`;
  return url.toString();
}

/** The admin URL pointed at the database of `databaseUrl`, acting as `role` (SET ROLE at connect). */
export function migrationUrl(adminUrl, databaseUrl, role) {
  const url = new URL(adminDatabaseUrl(adminUrl, databaseUrl));
  url.searchParams.set('options', `-c role=${role}`);
  return url.toString();
}

async function withAdmin(adminUrl, database, work) {
  const url = new URL(adminUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url.toString(), application_name: 'bank-provision' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function ensureRole(client, name, login) {
  const attributes = `${login ? 'LOGIN' : 'NOLOGIN'} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT`;
  const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
  if (rowCount === 0) {
    await client.query('SAVEPOINT create_role');
    try {
      await client.query(`CREATE ROLE ${ident(name)} ${attributes}`);
      await client.query('RELEASE SAVEPOINT create_role');
      return;
    } catch (error) {
      // Another provisioning of the same cluster (another database) created it in between.
      if (error?.code !== '42710') throw error;
      await client.query('ROLLBACK TO SAVEPOINT create_role');
    }
  }
  // An existing role gets exactly these attributes back, whatever someone gave it since.
  await client.query(`ALTER ROLE ${ident(name)} ${attributes}`);
}

/** Objects of the schema not owned by `owner` (e.g. migrated before roles existed), extension members left out. */
const FOREIGN_OBJECTS = `
  SELECT 'TABLE' AS kind, format('%I.%I', n.nspname, c.relname) AS name
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm') AND c.relowner <> $2::regrole
     AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
  UNION ALL
  SELECT 'SEQUENCE', format('%I.%I', n.nspname, c.relname)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = $1 AND c.relkind = 'S' AND c.relowner <> $2::regrole
     AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i', 'e'))
  UNION ALL
  SELECT 'ROUTINE', p.oid::regprocedure::text
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
   WHERE n.nspname = $1 AND p.proowner <> $2::regrole
     AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')`;

async function provisionApp(client, app, { prefix, password }) {
  const { schema, tables, tableRights = {}, extensions = [] } = plan(app);
  const owner = ownerRole(prefix, app);
  const runtime = runtimeRole(prefix, app);
  await ensureRole(client, owner, false);
  await ensureRole(client, runtime, true);
  if (password !== undefined) await client.query(`ALTER ROLE ${ident(runtime)} PASSWORD ${literal(scramVerifier(password))}`);

  await client.query(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)} AUTHORIZATION ${ident(owner)}`);
  await client.query(`ALTER SCHEMA ${ident(schema)} OWNER TO ${ident(owner)}`);
  await client.query(`REVOKE ALL ON SCHEMA ${ident(schema)} FROM PUBLIC`);
  for (const extension of extensions) await client.query(`CREATE EXTENSION IF NOT EXISTS ${ident(extension)} WITH SCHEMA ${ident(schema)}`);
  // A database migrated before this existed (by the superuser): its objects move to the owner.
  const { rows: foreign } = await client.query(FOREIGN_OBJECTS, [schema, owner]);
  for (const { kind, name } of foreign) await client.query(`ALTER ${kind} ${name} OWNER TO ${ident(owner)}`);

  const s = ident(schema);
  const to = ident(runtime);
  const forOwner = `ALTER DEFAULT PRIVILEGES FOR ROLE ${ident(owner)} IN SCHEMA ${s}`;
  await client.query(`GRANT USAGE ON SCHEMA ${s} TO ${to}`);
  // Exactly the rights of the plan: what an earlier plan granted and this one does not goes.
  await client.query(`${forOwner} REVOKE ALL ON TABLES FROM ${to}`);
  await client.query(`${forOwner} GRANT ${tables.join(', ')} ON TABLES TO ${to}`);
  await client.query(`${forOwner} GRANT USAGE, SELECT ON SEQUENCES TO ${to}`);
  await client.query(`${forOwner} GRANT EXECUTE ON FUNCTIONS TO ${to}`);
  await client.query(`REVOKE ALL ON ALL TABLES IN SCHEMA ${s} FROM ${to}`);
  await client.query(`GRANT ${tables.join(', ')} ON ALL TABLES IN SCHEMA ${s} TO ${to}`);
  await client.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${s} TO ${to}`);
  await client.query(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ${s} TO ${to}`);
  // Rights on one table beyond the schema's: granted here once its migration created it (and by that migration).
  for (const [table, rights] of Object.entries(tableRights)) {
    const { rows } = await client.query('SELECT to_regclass($1) IS NOT NULL AS present', [`${s}.${ident(table)}`]);
    if (rows[0].present) await client.query(`GRANT ${rights.join(', ')} ON ${s}.${ident(table)} TO ${to}`);
  }
}

/**
 * Creates (or brings back to plan) the roles and schemas of `apps` in the database of `databaseUrl`,
 * from `adminUrl`. `passwords` (app -> password) sets the runtime roles' passwords; an app without
 * one keeps its current password.
 */
export async function provisionDatabase({
  adminUrl = DEFAULT_DATABASE_ADMIN_URL,
  databaseUrl,
  apps,
  prefix = DEFAULT_ROLE_PREFIX,
  passwords = {},
}) {
  checkPrefix(prefix);
  await withAdmin(adminUrl, databaseName(databaseUrl), async (client) => {
    // All or nothing, and one commit (not one per statement). Two provisionings of one database at
    // once would race on the same roles and grants: the lock makes them take turns.
    await client.query('BEGIN');
    try {
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('bank:provision'))`);
      for (const app of apps) await provisionApp(client, app, { prefix, password: passwords[app] });
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
}

/** Drops the roles of `apps` (their database must be gone, or they must own nothing in it). */
export async function dropDatabaseRoles({ adminUrl = DEFAULT_DATABASE_ADMIN_URL, apps, prefix }) {
  checkPrefix(prefix);
  await withAdmin(adminUrl, 'postgres', async (client) => {
    for (const app of apps) {
      for (const role of [runtimeRole(prefix, app), ownerRole(prefix, app)]) await client.query(`DROP ROLE IF EXISTS ${ident(role)}`);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// RabbitMQ, through the management HTTP API.

const escapeRegex = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The vhost permissions (regular expressions over resource names) of an app's broker user. */
export function brokerPermissions(app, exchange) {
  const x = escapeRegex(exchange);
  if (app === OPERATOR) {
    // Reads (and gets from) any subscriber's queues, republishes through the default exchange or the
    // events exchange (an impersonator: with the producer's userId, as redrive and the tests do).
    return { configure: '^$', write: `^(amq\\.default|${x})$`, read: '^[a-z][a-z0-9-]*\\.events(\\..+)?$' };
  }
  const role = plan(app).broker;
  if (role === 'producer') return { configure: `^${x}$`, write: `^${x}$`, read: '^$' };
  if (role === 'subscriber') {
    const queues = `${escapeRegex(app)}\\.events(\\..+)?`;
    return { configure: `^(${x}|${queues})$`, write: `^(amq\\.default|${queues})$`, read: `^(${x}|${queues})$` };
  }
  return undefined;
}

/** Apps among `apps` that talk to the broker. */
export const brokerApps = (apps) => apps.filter((app) => plan(app).broker !== undefined);

/** `(method, path, body?) => parsed JSON`: the management HTTP API as the admin of `adminUrl`. */
export function managementApi(adminUrl = DEFAULT_RABBITMQ_ADMIN_URL) {
  const url = new URL(adminUrl);
  const auth = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
  const base = `${url.protocol}//${url.host}${url.pathname.replace(/\/$/, '')}/api`;
  return async (method, path, body) => {
    let response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: auth, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new Error(
        `RabbitMQ management API not reachable at ${url.protocol}//${url.host} (${error?.cause?.code ?? error?.message}); ` +
          'enable it with `rabbitmq-plugins enable rabbitmq_management` or set RABBITMQ_ADMIN_URL',
        { cause: error },
      );
    }
    const text = await response.text();
    if (method === 'DELETE' && response.status === 404) return undefined;
    if (!response.ok) throw new Error(`RabbitMQ management API ${method} ${path}: ${response.status} ${text.slice(0, 200)}`);
    return text ? JSON.parse(text) : undefined;
  };
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Resolves once the management API of `adminUrl` answers its admin, waiting up to `waitMs` for a
 * broker that is still booting (compose's). With `enable`, when nothing listens there and the URL is
 * on this machine, first enables the plugin on the local node (`rabbitmq-plugins enable
 * rabbitmq_management`: part of every RabbitMQ distribution, it downloads nothing; it needs the
 * rights of the broker's own user or root). Throws with what to do when it cannot get there.
 */
export async function ensureManagementApi(adminUrl = DEFAULT_RABBITMQ_ADMIN_URL, { enable = false, waitMs = 0, log = () => {} } = {}) {
  const api = managementApi(adminUrl);
  const up = () =>
    api('GET', '/overview').then(
      () => undefined,
      (error) => error,
    );
  let problem = await up();
  if (problem === undefined) return;
  const { hostname, host } = new URL(adminUrl);
  if (enable && /not reachable/.test(problem.message) && LOOPBACK.has(hostname)) {
    log(`the RabbitMQ management API does not answer on ${host}: rabbitmq-plugins enable rabbitmq_management`);
    const result = spawnSync('rabbitmq-plugins', ['enable', 'rabbitmq_management'], { encoding: 'utf8', timeout: 120_000 });
    if (result.status !== 0) {
      const why =
        result.error?.code === 'ENOENT' ? 'rabbitmq-plugins is not on the PATH' : (result.stderr || result.stdout || '').trim().slice(-300);
      throw new Error(
        `could not enable the RabbitMQ management plugin (${why}); run \`rabbitmq-plugins enable rabbitmq_management\` ` +
          'as root or the rabbitmq user, or set RABBITMQ_ADMIN_URL to a management API that answers',
      );
    }
    waitMs = Math.max(waitMs, 60_000);
  }
  const deadline = Date.now() + waitMs;
  while (problem !== undefined && /not reachable/.test(problem.message) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    problem = await up();
  }
  if (problem !== undefined) throw problem;
}

export function vhostOf(amqpUrl) {
  return decodeURIComponent(new URL(amqpUrl).pathname.replace(/^\//, '')) || '/';
}

/** Creates the vhost of `amqpUrl` when missing, and the users of `apps` (+ operator) with their permissions. */
export async function provisionBroker({
  adminUrl = DEFAULT_RABBITMQ_ADMIN_URL,
  amqpUrl,
  exchange,
  apps,
  prefix = DEFAULT_ROLE_PREFIX,
  passwords,
}) {
  checkPrefix(prefix);
  const api = managementApi(adminUrl);
  const vhost = encodeURIComponent(vhostOf(amqpUrl));
  await api('PUT', `/vhosts/${vhost}`, {});
  for (const app of [...brokerApps(apps), OPERATOR]) {
    const user = runtimeRole(prefix, app);
    await api('PUT', `/users/${encodeURIComponent(user)}`, { password: passwords[app], tags: app === OPERATOR ? 'impersonator' : '' });
    await api('PUT', `/permissions/${vhost}/${encodeURIComponent(user)}`, brokerPermissions(app, exchange));
  }
}

/** Deletes the users of `apps` (+ operator); with `vhost: true`, the vhost of `amqpUrl` too. */
export async function dropBrokerUsers({ adminUrl = DEFAULT_RABBITMQ_ADMIN_URL, amqpUrl, apps, prefix, vhost = false }) {
  checkPrefix(prefix);
  const api = managementApi(adminUrl);
  for (const app of [...brokerApps(apps), OPERATOR]) await api('DELETE', `/users/${encodeURIComponent(runtimeRole(prefix, app))}`);
  if (vhost) await api('DELETE', `/vhosts/${encodeURIComponent(vhostOf(amqpUrl))}`);
}

// ---------------------------------------------------------------------------------------------

/**
 * Provisions Postgres and RabbitMQ for `apps` and answers each app's own connection settings:
 * `apps[app]` = { DATABASE_URL, AMQP_URL? } as the app's runtime role and broker user, `migrate[app]`
 * = { DATABASE_URL } as the admin acting as the app's owner role, and `operator` = { AMQP_URL }.
 * `databaseUrl` and `amqpUrl` give host, port, database and vhost (their credentials are ignored).
 * Passwords: `passwords[app]` when given, else a fresh random one (`passwords: 'keep'` sets none for
 * the database roles: for `npm run migrate` beside running apps).
 */
export async function provisionSystem({
  apps,
  databaseUrl,
  amqpUrl,
  exchange = 'bank.events',
  databaseAdminUrl = DEFAULT_DATABASE_ADMIN_URL,
  rabbitmqAdminUrl = DEFAULT_RABBITMQ_ADMIN_URL,
  prefix = DEFAULT_ROLE_PREFIX,
  passwords = {},
}) {
  const keep = passwords === 'keep';
  const chosen = Object.fromEntries([...apps, OPERATOR].map((app) => [app, (keep ? undefined : passwords[app]) ?? generatePassword()]));
  await provisionDatabase({ adminUrl: databaseAdminUrl, databaseUrl, apps, prefix, passwords: keep ? {} : chosen });
  const broker = brokerApps(apps);
  if (amqpUrl !== undefined)
    await provisionBroker({ adminUrl: rabbitmqAdminUrl, amqpUrl, exchange, apps: broker, prefix, passwords: chosen });
  const result = { apps: {}, migrate: {}, operator: {} };
  for (const app of apps) {
    const user = runtimeRole(prefix, app);
    result.apps[app] = {
      DATABASE_URL: withCredentials(databaseUrl, user, keep ? undefined : chosen[app]),
      ...(amqpUrl !== undefined && broker.includes(app) ? { AMQP_URL: withCredentials(amqpUrl, user, chosen[app]) } : {}),
    };
    result.migrate[app] = { DATABASE_URL: migrationUrl(databaseAdminUrl, databaseUrl, ownerRole(prefix, app)) };
  }
  if (amqpUrl !== undefined) result.operator.AMQP_URL = withCredentials(amqpUrl, runtimeRole(prefix, OPERATOR), chosen[OPERATOR]);
  return result;
}

function checkPrefix(prefix) {
  if (!PREFIX_PATTERN.test(prefix)) fail(`role prefix ${JSON.stringify(prefix)} must match ${PREFIX_PATTERN}`);
}

function fail(message) {
  throw new Error(message);
}
