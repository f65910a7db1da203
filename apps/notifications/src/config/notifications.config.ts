import { IsBoolean, IsInt, Max, Min, ValidateBy } from 'class-validator';
import { BrokerConfig } from '@bank/common/config';

export class NotificationsConfig extends BrokerConfig {
  @IsInt()
  @Min(1)
  @Max(65535)
  NOTIFICATIONS_TCP_PORT = 4004;

  /** Serves /health, /metrics and, when the dev outbox is on, GET /outbox. */
  @IsInt()
  @Min(1)
  @Max(65535)
  NOTIFICATIONS_HTTP_PORT = 3004;

  /**
   * Keeps OTP codes readable in the stored messages and serves them at GET /outbox: how people and
   * tests read a code without an SMS gateway. Never in production: there it would hand out logins.
   * The default depends on NODE_ENV (see applyDevOutboxDefault).
   */
  @IsBoolean()
  @ValidateBy({
    name: 'devOutboxNotInProduction',
    validator: {
      validate: (value: unknown, args) => !(value === true && (args!.object as { NODE_ENV?: string }).NODE_ENV === 'production'),
      defaultMessage: () => 'NOTIFICATIONS_DEV_OUTBOX must not be true in production',
    },
  })
  NOTIFICATIONS_DEV_OUTBOX = true;
}

/**
 * The config loader takes defaults from the class, which cannot see NODE_ENV; this fills in the
 * dev outbox's default (on, off in production) in the environment before loading, when it is unset.
 */
export function applyDevOutboxDefault(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env.NOTIFICATIONS_DEV_OUTBOX === undefined || env.NOTIFICATIONS_DEV_OUTBOX === '') {
    env.NOTIFICATIONS_DEV_OUTBOX = env.NODE_ENV === 'production' ? 'false' : 'true';
  }
  return env;
}
