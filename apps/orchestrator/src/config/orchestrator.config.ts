import { isIP } from 'node:net';
import { IsInt, IsString, Matches, Max, Min, ValidateBy, type ValidationArguments } from 'class-validator';
import { RPC_BASE_BACKOFF_MS, rpcCallBudgetMs } from '@bank/common';
import { BrokerConfig } from '@bank/common/config';

/** A proxy-addr trust entry: a preset, an address, or an address/prefix within the family's length. */
function isProxyEntry(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

/** The longest one step's call can take with these settings. */
function rpcBudgetOf(config: OrchestratorConfig): number {
  return rpcCallBudgetMs({ timeoutMs: config.RPC_TIMEOUT_MS, retries: config.RPC_RETRIES, baseBackoffMs: RPC_BASE_BACKOFF_MS });
}

/**
 * A step's call must end within the lease the saga renewed before it: a call that outlives the lease
 * lets another replica take the saga and run the same step while the first still waits on it.
 */
function OutlivesOneRpcCall(): PropertyDecorator {
  return ValidateBy({
    name: 'outlivesOneRpcCall',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) =>
        typeof value === 'number' && value > rpcBudgetOf(args!.object as OrchestratorConfig),
      defaultMessage: (args?: ValidationArguments) =>
        `SAGA_LEASE_MS must be longer than one RPC call can take: RPC_TIMEOUT_MS x (RPC_RETRIES + 1) plus the pauses between retries = ${rpcBudgetOf(args!.object as OrchestratorConfig)} ms`,
    },
  });
}

export class OrchestratorConfig extends BrokerConfig {
  @IsInt()
  @Min(1)
  @Max(65535)
  ORCHESTRATOR_HTTP_PORT = 3000;

  /**
   * The proxies in front of the public port whose X-Forwarded-For is believed, comma-separated
   * addresses or CIDRs (or loopback, linklocal, uniquelocal). Empty, the default: the client is the
   * socket's peer and the header is ignored, since any client can write it (and so escape the OTP
   * per-source limit). Set it to exactly the proxies that overwrite or append the header.
   */
  @IsString()
  @ValidateBy({
    name: 'proxyList',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' &&
        value
          .split(',')
          .map((entry) => entry.trim())
          .filter(Boolean)
          .every(isProxyEntry),
      defaultMessage: () => 'TRUST_PROXY must be a comma-separated list of proxy addresses or CIDRs (or loopback, linklocal, uniquelocal)',
    },
  })
  TRUST_PROXY = '';

  @IsString() ACCOUNTS_HOST = '127.0.0.1';
  @IsInt() @Min(1) @Max(65535) ACCOUNTS_TCP_PORT = 4001;
  @IsString() LEDGER_HOST = '127.0.0.1';
  @IsInt() @Min(1) @Max(65535) LEDGER_TCP_PORT = 4002;
  @IsString() AUTH_HOST = '127.0.0.1';
  @IsInt() @Min(1) @Max(65535) AUTH_TCP_PORT = 4003;
  /** The page at /ui/system reads every service's /health and /metrics (only while a page is open). */
  @IsInt() @Min(1) @Max(65535) ACCOUNTS_HTTP_PORT = 3001;
  @IsInt() @Min(1) @Max(65535) LEDGER_HTTP_PORT = 3002;
  @IsInt() @Min(1) @Max(65535) AUTH_HTTP_PORT = 3003;
  @IsString() NOTIFICATIONS_HOST = '127.0.0.1';
  @IsInt() @Min(1) @Max(65535) NOTIFICATIONS_TCP_PORT = 4004;

  /**
   * Read for the choreographed half of a transfer's timeline: audit's trail, and the inboxes of
   * notifications and analytics (GET /inbox/:eventId).
   */
  @IsInt() @Min(1) @Max(65535) NOTIFICATIONS_HTTP_PORT = 3004;
  @IsString() AUDIT_HOST = '127.0.0.1';
  @IsInt() @Min(1) @Max(65535) AUDIT_HTTP_PORT = 3005;
  @IsString() ANALYTICS_HOST = '127.0.0.1';
  @IsInt() @Min(1) @Max(65535) ANALYTICS_HTTP_PORT = 3006;

  /** How long GET /transfers/:id waits for those (asked side by side) before answering without the missing part. */
  @IsInt()
  @Min(50)
  @Max(10_000)
  TIMELINE_TIMEOUT_MS = 500;

  /**
   * Where people look at a trace: the transfer's trace id replaces `{traceId}` in it, or is appended
   * (Jaeger: `http://127.0.0.1:16686/trace/`). Empty: the timeline shows the id alone.
   */
  @IsString()
  @Matches(/^$|^https?:\/\/\S+$/, { message: 'TRACE_UI_URL must be an http(s) URL' })
  TRACE_UI_URL = '';

  /** Timeout of one synchronous call to another service. */
  @IsInt()
  @Min(50)
  @Max(60_000)
  RPC_TIMEOUT_MS = 2_000;

  /** Quick retries of a transient failure inside one call (the saga retries further, later). */
  @IsInt()
  @Min(0)
  @Max(10)
  RPC_RETRIES = 2;

  /** How long POST /transfers waits for the saga before answering 202 PENDING. */
  @IsInt()
  @Min(0)
  @Max(60_000)
  SAGA_SYNC_WAIT_MS = 5_000;

  /** A saga row is driven by one replica at a time: the owner's lease, renewed at every step. */
  @IsInt()
  @Min(500)
  @Max(600_000)
  @OutlivesOneRpcCall()
  SAGA_LEASE_MS = 15_000;

  /** How often unfinished sagas (crashed owner, retry due) are looked for. */
  @IsInt()
  @Min(50)
  @Max(600_000)
  SAGA_RECOVERY_INTERVAL_MS = 1_000;

  /** How long a forward step (reserve, ledger) may keep failing transiently before the saga compensates. */
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  SAGA_STEP_BUDGET_MS = 30_000;

  /** Longest pause between two retries of a failing step or compensation. */
  @IsInt()
  @Min(10)
  @Max(600_000)
  SAGA_MAX_BACKOFF_MS = 10_000;
}
