// Types of system.mjs, for the TypeScript end-to-end tests and static tests that import it.

export type AppName = 'orchestrator' | 'accounts' | 'ledger' | 'auth' | 'notifications' | 'audit' | 'analytics';

export interface AppPorts {
  http: number;
  /** Only the apps that take commands over Nest's TCP transport. */
  tcp?: number;
}
export type SystemPorts = Record<string, AppPorts>;
export type Env = Record<string, string | undefined>;

export const ROOT: string;
/** App names in start order, from nest-cli.json. */
export const APPS: readonly string[];
export const DEFAULT_DATABASE_URL: string;
export const DEFAULT_AMQP_URL: string;
/** V8 heap flags every app runs with (start:all, tests and the Dockerfile). */
export const APP_HEAP_FLAGS: readonly string[];

export function defaultPorts(): SystemPorts;
export function freePorts(): Promise<SystemPorts>;
export function portsFromEnv(env?: Env): SystemPorts;

export interface SystemEnvOptions {
  ports?: SystemPorts;
  databaseUrl?: string;
  amqpUrl?: string;
  /** Applied last, over everything. */
  extra?: Env;
  /** Merged under the system's variables; process.env by default, `{}` for the system's own only. */
  base?: Env;
}
export function systemEnv(options?: SystemEnvOptions): Env;

/** `https://127.0.0.1:<port>` for an internal app, `http://...` for the orchestrator's public port. */
export function httpUrl(app: string, port: number): string;

/** Writes what is missing of the CA and identities into env.CERTS_DIR; returns the files written. */
export function ensureCerts(env: Env): Promise<string[]>;

/** Creates the database of the URL when missing; true when it did. */
export function ensureDatabase(databaseUrl: string): Promise<boolean>;

export interface MigrationResult {
  app: string;
  migrations: string[];
  ms: number;
}
export function migrateAll(options?: {
  env?: Env;
  /** Per app, over `env` (provisionSystem's `migrate`). */
  appEnv?: Record<string, Env>;
  apps?: readonly string[];
  /** Per app. Default 60 s. */
  timeoutMs?: number;
  /** Apps migrated at once; default 1 (in start order). */
  concurrency?: number;
}): Promise<MigrationResult[]>;

export interface StartSystemOptions {
  env?: Env;
  /** Per app, over `env` (provisionSystem's `apps`: each app's own DATABASE_URL and AMQP_URL). */
  appEnv?: Record<string, Env>;
  apps?: readonly string[];
  ports?: SystemPorts;
  /** Where <app>.log files go when stdio is 'file'; a fresh temp dir by default. */
  logDir?: string;
  stdio?: 'file' | 'inherit' | 'ignore';
  /** Per app, for /health and the TCP port to answer. Default 20 s. */
  timeoutMs?: number;
  /** Grace between SIGTERM and SIGKILL in stop()/stopAll(). Default 10 s. */
  stopTimeoutMs?: number;
  /** Spawn every app at once instead of one after the other (faster, order not guaranteed). */
  concurrent?: boolean;
  /** Stop the system on SIGINT/SIGTERM of this process and exit. Default true. */
  handleSignals?: boolean;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningSystem {
  readonly ports: SystemPorts;
  readonly env: Env;
  /** The environment `app` runs with: `env` and its own `appEnv`. */
  envOf(app: string): Env;
  /** undefined unless stdio is 'file'. */
  readonly logDir: string | undefined;
  readonly apps: readonly string[];
  /** Per app, spawn to healthy, from startSystem. */
  readonly startupMs: Record<string, number>;
  readonly totalMs: number;
  url(app: string): string;
  logFile(app: string): string | undefined;
  pid(app: string): number | undefined;
  /** Starts a stopped app again (its log is appended to) and waits until it is healthy. */
  start(app: string): Promise<void>;
  stop(app: string, options?: { signal?: NodeJS.Signals; timeoutMs?: number }): Promise<ExitInfo | undefined>;
  /** SIGKILL: a crash, no graceful shutdown. */
  kill(app: string): Promise<ExitInfo | undefined>;
  restart(app: string): Promise<void>;
  waitHealthy(app: string, options?: { timeoutMs?: number }): Promise<void>;
  isRunning(app: string): boolean;
  /** SIGTERM in reverse start order, SIGKILL after the grace period; resolves when all exited. */
  stopAll(): Promise<void>;
}

export function startSystem(options?: StartSystemOptions): Promise<RunningSystem>;
