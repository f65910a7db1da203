/** What the AMQP connection holder needs; built from a BrokerConfig by `amqpOptionsFrom`. */
export interface AmqpOptions {
  url: string;
  /** The topic exchange every business event goes to (EVENTS_EXCHANGE). */
  exchange: string;
  /** Shown in the broker's connection list, to tell processes apart. */
  connectionName?: string;
  /** Heartbeat so a silently dead link (no RST) is noticed within about two intervals. */
  heartbeatSeconds?: number;
  reconnectInitialMs?: number;
  /** Cap of the reconnect backoff: the most extra downtime after the broker is back. */
  reconnectMaxMs?: number;
  /** How long a publisher waits for the broker's confirm before treating the publish as failed. */
  confirmTimeoutMs?: number;
  /** Prefix of the system's broker users (ROLE_PREFIX): the producer of an event type is `<prefix><service>`. */
  rolePrefix?: string;
}

export const AMQP_OPTIONS = Symbol('AMQP_OPTIONS');

/** The broker part of an app's config (BrokerConfig or a subclass), plus optional tuning. */
export interface BrokerSettings {
  AMQP_URL: string;
  EVENTS_EXCHANGE: string;
  AMQP_HEARTBEAT_SECONDS?: number;
  AMQP_RECONNECT_MAX_MS?: number;
  ROLE_PREFIX?: string;
}

export function amqpOptionsFrom(broker: BrokerSettings, connectionName?: string): AmqpOptions {
  return {
    url: broker.AMQP_URL,
    exchange: broker.EVENTS_EXCHANGE,
    ...(connectionName ? { connectionName } : {}),
    ...(broker.AMQP_HEARTBEAT_SECONDS !== undefined ? { heartbeatSeconds: broker.AMQP_HEARTBEAT_SECONDS } : {}),
    ...(broker.AMQP_RECONNECT_MAX_MS !== undefined ? { reconnectMaxMs: broker.AMQP_RECONNECT_MAX_MS } : {}),
    ...(broker.ROLE_PREFIX !== undefined ? { rolePrefix: broker.ROLE_PREFIX } : {}),
  };
}
