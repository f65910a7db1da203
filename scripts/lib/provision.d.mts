// Types of provision.mjs, for the TypeScript tests that import it.
import type { Env } from './system.mjs';

export const DEFAULT_DATABASE_ADMIN_URL: string;
export const DEFAULT_RABBITMQ_ADMIN_URL: string;
export const DEFAULT_ROLE_PREFIX: string;
export const OPERATOR: 'operator';

export interface DataPlaneRights {
  schema: string;
  tables: readonly string[];
  /** Rights on single tables beyond `tables` (granted once the table exists). */
  tableRights?: Readonly<Record<string, readonly string[]>>;
  broker?: 'producer' | 'subscriber';
  extensions?: readonly string[];
}
export const DATA_PLANE: Readonly<Record<string, DataPlaneRights>>;

export function runtimeRole(prefix: string, app: string): string;
export function ownerRole(prefix: string, app: string): string;
export function generatePassword(): string;
export function scramVerifier(password: string, salt?: Buffer, iterations?: number): string;
export function adminDatabaseUrl(adminUrl: string, databaseUrl: string): string;
export function migrationUrl(adminUrl: string, databaseUrl: string, role: string): string;
export function vhostOf(amqpUrl: string): string;
export function brokerApps(apps: readonly string[]): string[];
export function brokerPermissions(app: string, exchange: string): { configure: string; write: string; read: string } | undefined;

export function provisionDatabase(options: {
  adminUrl?: string;
  databaseUrl: string;
  apps: readonly string[];
  prefix?: string;
  passwords?: Record<string, string>;
}): Promise<void>;
export function dropDatabaseRoles(options: { adminUrl?: string; apps: readonly string[]; prefix: string }): Promise<void>;
/** The RabbitMQ management HTTP API as the admin of `adminUrl`; DELETE of something missing resolves. */
export function managementApi(adminUrl?: string): (method: string, path: string, body?: unknown) => Promise<unknown>;
/** Resolves once the management API answers (waiting up to waitMs); `enable`: enable the plugin on a local node first when nothing listens. */
export function ensureManagementApi(
  adminUrl?: string,
  options?: { enable?: boolean; waitMs?: number; log?: (message: string) => void },
): Promise<void>;
export function provisionBroker(options: {
  adminUrl?: string;
  amqpUrl: string;
  exchange: string;
  apps: readonly string[];
  prefix?: string;
  passwords: Record<string, string>;
}): Promise<void>;
export function dropBrokerUsers(options: {
  adminUrl?: string;
  amqpUrl: string;
  apps: readonly string[];
  prefix: string;
  vhost?: boolean;
}): Promise<void>;

export interface ProvisionedSystem {
  /** Each app's own connection settings: its runtime role and broker user. */
  apps: Record<string, Env>;
  /** Each app's migration settings: the admin acting as the app's owner role. */
  migrate: Record<string, Env>;
  /** The operator broker user (people, tests, redrive). */
  operator: { AMQP_URL?: string };
}
export function provisionSystem(options: {
  apps: readonly string[];
  databaseUrl: string;
  amqpUrl?: string;
  exchange?: string;
  databaseAdminUrl?: string;
  rabbitmqAdminUrl?: string;
  prefix?: string;
  passwords?: Record<string, string> | 'keep';
}): Promise<ProvisionedSystem>;
