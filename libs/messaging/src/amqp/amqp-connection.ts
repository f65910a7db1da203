import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { connect, type ChannelModel, type ConfirmChannel, type Options } from 'amqplib';
import { EventEmitter, once } from 'node:events';
import { backoffDelay, type HealthProbe } from '@bank/common';
import { AMQP_OPTIONS, type AmqpOptions } from './amqp.options.js';

/** Thrown when something needs the broker while the connection is down; callers retry later. */
export class BrokerUnavailableError extends Error {
  constructor(message = 'broker not connected') {
    super(message);
    this.name = 'BrokerUnavailableError';
  }
}

/**
 * The broker confirmed a `mandatory` message but routed it to no queue (it came back as
 * basic.return first): nobody will ever read it, so it does not count as published.
 */
export class UnroutableMessageError extends Error {
  constructor(routingKey: string) {
    super(`returned by the broker: no queue bound to ${routingKey}`);
    this.name = 'UnroutableMessageError';
  }
}

/** Called on every (re)connect; channels die with their connection, so this is where they are (re)built. */
export type ConnectListener = (connection: ChannelModel) => Promise<void> | void;

/** Something riding on the connection (a consumer) that /health should also report on. */
export interface BrokerDependent {
  name: string;
  /** Undefined when healthy, otherwise why not. */
  problem(): string | undefined;
}

/**
 * The process's one AMQP connection. Connects in the background (the app boots, and /health says
 * 503, while the broker is away), reconnects with capped exponential backoff, re-runs every
 * registered setup on each new connection, offers confirmed publishing, and closes on shutdown.
 */
@Injectable()
export class AmqpConnection implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(AmqpConnection.name);
  private readonly events = new EventEmitter();
  private readonly listeners = new Set<ConnectListener>();
  private readonly dependents = new Set<BrokerDependent>();
  private connection?: ChannelModel;
  private publishChannel?: Promise<ConfirmChannel>;
  /** messageIds of mandatory messages the broker returned and has not confirmed yet. */
  private readonly returned = new Set<string>();
  private attempt = 0;
  private retryTimer?: NodeJS.Timeout;
  private stopped = false;
  private started = false;

  constructor(@Inject(AMQP_OPTIONS) readonly options: AmqpOptions) {
    this.events.setMaxListeners(0);
  }

  get exchange(): string {
    return this.options.exchange;
  }

  /**
   * The broker user this process connects as (the URL's; amqplib's default is guest). Messages it
   * publishes carry it as `userId`: the broker refuses any other, so subscribers can trust it.
   */
  get user(): string {
    return decodeURIComponent(new URL(this.options.url).username) || 'guest';
  }

  get isConnected(): boolean {
    return this.connection !== undefined;
  }

  /** The live connection, or undefined while reconnecting. */
  current(): ChannelModel | undefined {
    return this.connection;
  }

  onModuleInit(): void {
    this.start();
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    void this.connectOnce();
  }

  /** Runs `listener` now if connected and again after every reconnect. Returns an unsubscribe. */
  onConnect(listener: ConnectListener): () => void {
    this.listeners.add(listener);
    if (this.connection) void this.runListener(listener, this.connection);
    return () => this.listeners.delete(listener);
  }

  register(dependent: BrokerDependent): () => void {
    this.dependents.add(dependent);
    return () => this.dependents.delete(dependent);
  }

  /** For startup and tests: resolves once connected, rejects after `timeoutMs`. */
  async whenConnected(timeoutMs = 10_000): Promise<void> {
    if (this.connection) return;
    await once(this.events, 'connected', { signal: AbortSignal.timeout(timeoutMs) });
  }

  /** /health: the broker is reachable and every consumer on it is running. */
  healthProbe(key = 'broker'): HealthProbe {
    return {
      key,
      check: () => {
        if (!this.connection) throw new BrokerUnavailableError();
        const problems = [...this.dependents].map((d) => d.problem()).filter((p): p is string => p !== undefined);
        if (problems.length > 0) throw new Error(problems.join('; '));
      },
    };
  }

  /**
   * Publishes and resolves only when the broker has confirmed (it then owns the message: it is on
   * disk for persistent messages to durable queues). Rejects on nack, channel loss or timeout, and
   * with UnroutableMessageError when a `mandatory` message (it needs a `messageId`) reached no queue:
   * the broker sends basic.return before the confirm of the same message.
   */
  async publish(exchange: string, routingKey: string, content: Buffer, options: Options.Publish): Promise<void> {
    const channel = await this.confirmChannel();
    const timeoutMs = this.options.confirmTimeoutMs ?? 10_000;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no broker confirm within ${timeoutMs} ms`)), timeoutMs);
      try {
        channel.publish(exchange, routingKey, content, options, (error: unknown) => {
          clearTimeout(timer);
          const returned = options.messageId !== undefined && this.returned.delete(options.messageId);
          if (error) reject(error instanceof Error ? error : new Error('broker refused the message'));
          else if (returned) reject(new UnroutableMessageError(routingKey));
          else resolve();
        });
      } catch (error) {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const connection = this.connection;
    this.connection = undefined;
    this.publishChannel = undefined;
    if (connection) await connection.close().catch(() => undefined);
  }

  private confirmChannel(): Promise<ConfirmChannel> {
    const connection = this.connection;
    if (!connection) return Promise.reject(new BrokerUnavailableError());
    if (!this.publishChannel) {
      const created = (async () => {
        const channel = await connection.createConfirmChannel();
        channel.on('error', (error: Error) => this.logger.warn({ msg: 'publish channel error', err: error.message }));
        channel.on('return', (message: { properties: { messageId?: unknown } }) => {
          if (typeof message.properties.messageId === 'string') this.returned.add(message.properties.messageId);
        });
        channel.on('close', () => {
          if (this.publishChannel === created) this.publishChannel = undefined;
          // Their confirms will never come: the publishes fail on the closed channel instead.
          this.returned.clear();
        });
        // Publishing to a missing exchange would kill the channel: make sure it exists first.
        await channel.assertExchange(this.options.exchange, 'topic', { durable: true });
        return channel;
      })();
      created.catch(() => {
        if (this.publishChannel === created) this.publishChannel = undefined;
      });
      this.publishChannel = created;
    }
    return this.publishChannel;
  }

  private async connectOnce(): Promise<void> {
    if (this.stopped) return;
    let connection: ChannelModel;
    try {
      connection = await connect(this.connectUrl(), {
        timeout: 5_000,
        clientProperties: { connection_name: this.options.connectionName ?? `bank-${process.pid}` },
      });
    } catch (error) {
      this.logger.warn({ msg: 'broker connection failed', err: (error as Error).message, attempt: this.attempt + 1 });
      this.scheduleReconnect();
      return;
    }
    if (this.stopped) {
      await connection.close().catch(() => undefined);
      return;
    }
    // 'error' is always followed by 'close'; the listener only keeps the process alive.
    connection.on('error', (error: Error) => this.logger.warn({ msg: 'broker connection error', err: error.message }));
    connection.on('close', () => this.onClosed(connection));
    connection.on('blocked', (reason: string) => this.logger.warn({ msg: 'broker blocked the connection', reason }));
    connection.on('unblocked', () => this.logger.log('broker unblocked the connection'));
    this.connection = connection;
    this.attempt = 0;
    this.logger.log({ msg: 'broker connected', connection: this.options.connectionName });
    // Snapshot in the same tick as `connection` is set: a listener added later runs itself via onConnect.
    const listeners = [...this.listeners];
    for (const listener of listeners) await this.runListener(listener, connection);
    this.events.emit('connected');
  }

  private onClosed(connection: ChannelModel): void {
    if (this.connection !== connection) return;
    this.connection = undefined;
    this.publishChannel = undefined;
    if (this.stopped) return;
    this.logger.warn('broker connection lost, reconnecting');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt++, {
      initialMs: this.options.reconnectInitialMs ?? 200,
      maxMs: this.options.reconnectMaxMs ?? 10_000,
      jitter: 0.2,
    });
    this.retryTimer = setTimeout(() => void this.connectOnce(), delay);
  }

  private async runListener(listener: ConnectListener, connection: ChannelModel): Promise<void> {
    try {
      await listener(connection);
    } catch (error) {
      // Each listener owns its recovery (a consumer retries its own setup); this only reports.
      this.logger.error({ msg: 'broker setup failed', err: (error as Error).message });
    }
  }

  /** The URL with a heartbeat unless it names one. Never logged: it carries the password. */
  private connectUrl(): string {
    const url = new URL(this.options.url);
    if (!url.searchParams.has('heartbeat')) url.searchParams.set('heartbeat', String(this.options.heartbeatSeconds ?? 10));
    return url.toString();
  }
}
