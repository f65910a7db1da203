import type { DynamicModule, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { connect, type ChannelModel, type ConfirmChannel, type ConsumeMessage, type Options } from 'amqplib';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import pg from 'pg';
import { ContextInterceptor, createLogger, createValidationPipe, ErrorMappingFilter, PinoLoggerService } from '@bank/common';
import { ignoreErrorsOnceEnding } from '../../support/test-pool.js';

const run = promisify(execFile);
const PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const AMQP_HOST = process.env.TEST_AMQP_HOST ?? '127.0.0.1';
export const AMQP_PORT = Number(process.env.TEST_AMQP_PORT ?? 5672);
const LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'silent';

export const uniqueName = (prefix: string) => `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;

/** A database of its own for one test file; `drop` removes it even with connections left open. */
export async function createTestDatabase(name: string): Promise<{ url: string; pool: pg.Pool; drop: () => Promise<void> }> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  const pool = new pg.Pool({ connectionString: url, max: 3 });
  ignoreErrorsOnceEnding(pool);
  return {
    url,
    pool,
    drop: async () => {
      await pool.end().catch(() => undefined);
      const client = new pg.Client({ connectionString: PG_ADMIN_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A RabbitMQ vhost of its own (rabbitmqctl is slowish: once per file). */
export async function createTestVhost(
  name: string,
): Promise<{ name: string; url: (host?: string, port?: number) => string; remove: () => Promise<void> }> {
  await run('rabbitmqctl', ['-q', 'add_vhost', name]);
  await run('rabbitmqctl', ['-q', 'set_permissions', '-p', name, 'guest', '.*', '.*', '.*']);
  return {
    name,
    url: (host = AMQP_HOST, port = AMQP_PORT) => `amqp://guest:guest@${host}:${port}/${encodeURIComponent(name)}`,
    remove: async () => {
      await run('rabbitmqctl', ['-q', 'delete_vhost', name]).catch(() => undefined);
    },
  };
}

export interface RunningHttpApp {
  app: NestFastifyApplication;
  url: string;
  close: () => Promise<void>;
}

/**
 * Boots an app module in this process the way `bootstrap()` does (Fastify, the one error mapping,
 * strict validation, correlation context) on a random port. bootstrap() itself cannot run twice in
 * one process: it registers the default process metrics each time.
 */
export async function startHttpApp(module: DynamicModule): Promise<RunningHttpApp> {
  const app = await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter({ logger: false }), {
    logger: new PinoLoggerService(createLogger('e2e', LOG_LEVEL)),
    abortOnError: false,
  });
  app.useGlobalFilters(new ErrorMappingFilter());
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalInterceptors(new ContextInterceptor());
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

export async function startContext(module: DynamicModule): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(module, {
    logger: new PinoLoggerService(createLogger('e2e', LOG_LEVEL)),
    abortOnError: false,
  });
  await app.init();
  return app;
}

/** Polls `probe` until it returns something other than undefined/false, or fails with the last value. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${options.what ?? 'condition'}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
}

/** A plain AMQP client for the test itself: publish raw messages, watch a queue. */
export class TestBroker {
  private constructor(
    readonly connection: ChannelModel,
    readonly channel: ConfirmChannel,
  ) {}

  static async open(url: string): Promise<TestBroker> {
    const connection = await connect(url);
    connection.on('error', () => undefined);
    const channel = await connection.createConfirmChannel();
    channel.on('error', () => undefined);
    return new TestBroker(connection, channel);
  }

  async publish(exchange: string, routingKey: string, body: unknown, options: Options.Publish = {}): Promise<void> {
    const content = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    await new Promise<void>((resolve, reject) =>
      this.channel.publish(
        exchange,
        routingKey,
        content,
        { persistent: true, contentType: 'application/json', ...options },
        (error: unknown) => (error ? reject(error instanceof Error ? error : new Error('broker refused the message')) : resolve()),
      ),
    );
  }

  /** A server-named queue bound to the exchange; collects every message it gets. */
  async watch(
    exchange: string,
    pattern = '#',
    onMessage?: (message: ConsumeMessage, count: number) => void,
  ): Promise<{ messages: ConsumeMessage[] }> {
    await this.channel.assertExchange(exchange, 'topic', { durable: true });
    const { queue } = await this.channel.assertQueue('', { exclusive: true });
    await this.channel.bindQueue(queue, exchange, pattern);
    const seen: ConsumeMessage[] = [];
    await this.channel.consume(
      queue,
      (message) => {
        if (!message) return;
        seen.push(message);
        onMessage?.(message, seen.length);
      },
      { noAck: true },
    );
    return { messages: seen };
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }
}
