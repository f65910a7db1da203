import { IsBoolean, IsInt, Max, Min, ValidateBy } from 'class-validator';
import { BrokerConfig, hasDevelopmentRules } from '@bank/common/config';

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
   * tests read a code without an SMS gateway. Only under development rules (NODE_ENV=development or
   * test, set explicitly): anywhere else it would hand out logins. The default follows NODE_ENV (see
   * applyDevOutboxDefault).
   */
  @IsBoolean()
  @ValidateBy({
    name: 'devOutboxNotInProduction',
    validator: {
      validate: (value: unknown, args) => !(value === true && !hasDevelopmentRules((args!.object as { NODE_ENV?: string }).NODE_ENV)),
      defaultMessage: () => 'NOTIFICATIONS_DEV_OUTBOX may be true only with NODE_ENV=development or test',
    },
  })
  NOTIFICATIONS_DEV_OUTBOX = false;
}

/**
 * The config loader takes defaults from the class, which cannot see NODE_ENV; this fills in the
 * dev outbox's default in the environment before loading, when it is unset: on only when NODE_ENV
 * asks for development rules, off when it says production or is unset.
 */
export function applyDevOutboxDefault(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env.NOTIFICATIONS_DEV_OUTBOX === undefined || env.NOTIFICATIONS_DEV_OUTBOX === '') {
    env.NOTIFICATIONS_DEV_OUTBOX = hasDevelopmentRules(env.NODE_ENV) ? 'true' : 'false';
  }
  return env;
}
