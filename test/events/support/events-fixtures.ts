import type { DynamicModule } from '@nestjs/common';
import { NestFactory, Reflector } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { connect, type ChannelModel, type ConfirmChannel, type ConsumeMessage, type Options } from 'amqplib';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CallerGuard,
  ContextInterceptor,
  createLogger,
  createValidationPipe,
  ErrorMappingFilter,
  httpsServerTls,
  loadTlsIdentity,
  PinoLoggerService,
  type TlsIdentity,
} from '@bank/common';
import { brokerUserOf, EVENT_PRODUCERS, type ServiceIdentity } from '@bank/contracts';
import { writeCerts } from '../../../scripts/lib/certs.mjs';
import { TEST_LOG_LEVEL } from '../../support/nest-context.js';
import { managementApiReady, RABBITMQ_ADMIN_URL } from '../../support/test-system.js';
import { managementApi } from '../../../scripts/lib/provision.mjs';
export const AMQP_HOST = process.env.TEST_AMQP_HOST ?? '127.0.0.1';
export const AMQP_PORT = Number(process.env.TEST_AMQP_PORT ?? 5672);

export interface TestVhost {
  name: string;
  /** ROLE_PREFIX of the modules under test: they expect each event type from `<prefix><producer>`. */
  prefix: string;
  /** The vhost as its tester: every right on the vhost, and the impersonator tag, so tests can publish as any producer. */
  url: (host?: string, port?: number) => string;
  /** The broker user allowed to publish `type` here (the userId a genuine event carries). */
  producerUser: (type: string) => string;
  remove: () => Promise<void>;
}

/**
 * A RabbitMQ vhost of its own, and a tester user for it, made through the management API like
 * every broker user of the system (scripts/lib/provision.mjs).
 */
export async function createTestVhost(name: string): Promise<TestVhost> {
  const tester = `${name}_tester`;
  const password = randomBytes(12).toString('hex');
  const vhost = encodeURIComponent(name);
  const api = managementApi(RABBITMQ_ADMIN_URL);
  await managementApiReady();
  await api('PUT', `/vhosts/${vhost}`, {});
  await api('PUT', `/users/${encodeURIComponent(tester)}`, { password, tags: 'impersonator' });
  await api('PUT', `/permissions/${vhost}/${encodeURIComponent(tester)}`, { configure: '.*', write: '.*', read: '.*' });
  const prefix = `${name}_`;
  return {
    name,
    prefix,
    url: (host = AMQP_HOST, port = AMQP_PORT) => `amqp://${tester}:${password}@${host}:${port}/${vhost}`,
    producerUser: (type) => brokerUserOf((EVENT_PRODUCERS as Record<string, string>)[type] ?? 'unknown', prefix),
    remove: async () => {
      await api('DELETE', `/vhosts/${vhost}`).catch(() => undefined);
      await api('DELETE', `/users/${encodeURIComponent(tester)}`).catch(() => undefined);
    },
  };
}

/** A CA and identities of this test file's own, removed when the process exits. */
let certsDir: string | undefined;
export function testCerts(): string {
  if (certsDir === undefined) {
    const dir = mkdtempSync(path.join(tmpdir(), 'e2e-certs-'));
    writeCerts(dir);
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    certsDir = dir;
  }
  return certsDir;
}

export const identity = (name: ServiceIdentity): TlsIdentity => loadTlsIdentity(testCerts(), name);

export interface RunningHttpApp {
  app: NestFastifyApplication;
  url: string;
  close: () => Promise<void>;
}

/**
 * Boots an app module in this process the way `bootstrap()` does (Fastify over TLS with the app's
 * certificate, the caller guard, the one error mapping, strict validation, correlation context) on
 * a random port. bootstrap() itself cannot run twice in one process: it registers the default
 * process metrics each time.
 */
export async function startHttpApp(module: DynamicModule, name: ServiceIdentity): Promise<RunningHttpApp> {
  const adapter = new FastifyAdapter({ logger: false, https: httpsServerTls(identity(name)) });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    logger: new PinoLoggerService(createLogger('e2e', TEST_LOG_LEVEL)),
    abortOnError: false,
  });
  app.useGlobalFilters(new ErrorMappingFilter());
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalInterceptors(new ContextInterceptor());
  app.useGlobalGuards(new CallerGuard(app.get(Reflector)));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, url: `https://127.0.0.1:${port}`, close: () => app.close() };
}

export interface HttpsAnswer {
  status: number;
  type: string | null;
  text: string;
  /** The body parsed as JSON, undefined when it is not JSON. */
  body: unknown;
}

const agents = new Map<string, Agent>();
/**
 * GET over TLS with this file's CA, as `as` (the operator by default; 'none' presents no
 * certificate). One keep-alive agent per identity.
 */
export function httpsGet(url: string, as: ServiceIdentity | 'none' = 'operator'): Promise<HttpsAnswer> {
  let agent = agents.get(as);
  if (!agent) {
    const ca = identity('operator').ca;
    agent = new Agent(as === 'none' ? { ca, keepAlive: true } : { ...identity(as), ca, keepAlive: true });
    agents.set(as, agent);
  }
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] ?? null, text, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
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
