import { IsIn, IsInt, IsString, Matches, Max, Min, MinLength } from 'class-validator';

/**
 * Development rules (the dev outbox, auth's dev secrets) apply only when NODE_ENV says so: an app
 * started without NODE_ENV runs with production rules.
 */
export function hasDevelopmentRules(nodeEnv: string | undefined): boolean {
  return nodeEnv === 'development' || nodeEnv === 'test';
}

/** Variables every app reads. Each app's config extends this with its own. */
export class BaseConfig {
  @IsString()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

  @IsInt()
  @Min(1)
  @Max(100)
  DB_POOL_SIZE = 10;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Unset means production: dev conveniences only when asked for (start:all and the tests say development/test). */
  @IsIn(['development', 'production', 'test'])
  NODE_ENV = 'production';

  /** Address every listener binds to: loopback unless asked (containers set 0.0.0.0). */
  @IsString()
  @MinLength(1)
  BIND_HOST = '127.0.0.1';

  /** Keys and certificates written by `npm run certs` (ca.crt, the app's own <app>.crt/.key, and the seal/checkpoint keys of the apps that use them). */
  @IsString()
  @MinLength(1)
  CERTS_DIR = './certs';

  /**
   * Longest frame (characters) a TCP command port or RPC client accepts; a bigger one closes that
   * connection. Far below the heap: one peer must not be able to fill it with a single frame.
   */
  @IsInt()
  @Min(1_024)
  @Max(16_777_216)
  TCP_MAX_BUFFER_SIZE = 1_048_576;
}

/** Variables of an app that talks to RabbitMQ. */
export class BrokerConfig extends BaseConfig {
  @IsString()
  @Matches(/^amqps?:\/\//, { message: 'AMQP_URL must be an amqp:// URL' })
  AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

  @IsString()
  @Matches(/^[A-Za-z0-9._-]+$/)
  EVENTS_EXCHANGE = 'bank.events';

  /** Heartbeat so a silently dead link (no RST) is noticed within about two intervals; 0 turns it off. */
  @IsInt()
  @Min(0)
  @Max(600)
  AMQP_HEARTBEAT_SECONDS = 10;

  /**
   * Prefix of the system's broker users (and Postgres roles): the producer of an event type is the
   * broker user `<ROLE_PREFIX><service>` (EVENT_PRODUCERS), and a subscriber parks what another sent.
   */
  @IsString()
  @Matches(/^[a-z][a-z0-9_]{0,30}$/)
  ROLE_PREFIX = 'bank_';

  /** Longest pause between two reconnection attempts to the broker. */
  @IsInt()
  @Min(100)
  @Max(300_000)
  AMQP_RECONNECT_MAX_MS = 10_000;
}
