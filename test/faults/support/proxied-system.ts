import request from 'supertest';
import { TcpProxy } from '@bank/testing';
import { freePorts, migrateAll, startSystem, systemEnv, type Env } from '../../../scripts/lib/system.mjs';
import { operatorRequest, startTestSystem, type TestSystem } from '../../support/test-system.js';

export interface ProxiedSystem {
  system: TestSystem;
  /** Between every app and Postgres (the test's own `system.db` connects directly). */
  postgres: TcpProxy;
  /** Between every app and RabbitMQ. */
  rabbitmq: TcpProxy;
}

function withPort(raw: string, port: number): string {
  const url = new URL(raw);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return url.toString();
}

/**
 * The test system of startTestSystem (own database and vhost, dropped at the end), but with the
 * apps' DATABASE_URL and AMQP_URL pointing at TCP proxies, so a test can cut the links. The
 * database name is only known once startTestSystem has made it, so it is asked for the database
 * and vhost without apps, and the apps are started here on the proxied URLs.
 */
export async function startProxiedSystem(extra: Env = {}): Promise<ProxiedSystem> {
  const base = await startTestSystem({ apps: [] });
  let postgres: TcpProxy | undefined;
  let rabbitmq: TcpProxy | undefined;
  try {
    const db = new URL(base.databaseUrl);
    const amqp = new URL(base.sys.env.AMQP_URL!);
    postgres = await TcpProxy.start({ targetHost: db.hostname, targetPort: Number(db.port || 5432) });
    rabbitmq = await TcpProxy.start({ targetHost: amqp.hostname, targetPort: Number(amqp.port || 5672) });
    const ports = await freePorts();
    const env = systemEnv({
      ports,
      databaseUrl: withPort(base.databaseUrl, postgres.port),
      amqpUrl: withPort(base.sys.env.AMQP_URL!, rabbitmq.port),
      extra: {
        LOG_LEVEL: 'info',
        DB_POOL_SIZE: '5',
        CERTS_DIR: base.certsDir,
        ROLE_PREFIX: base.prefix,
        EVENTS_EXCHANGE: base.sys.env.EVENTS_EXCHANGE,
        ...extra,
      },
    });
    // Each app's own credentials, through the proxies; migrations go straight to Postgres.
    const appEnv = Object.fromEntries(
      Object.entries(base.credentials.apps).map(([app, urls]) => [
        app,
        {
          ...(urls.DATABASE_URL ? { DATABASE_URL: withPort(urls.DATABASE_URL, postgres!.port) } : {}),
          ...(urls.AMQP_URL ? { AMQP_URL: withPort(urls.AMQP_URL, rabbitmq!.port) } : {}),
        },
      ]),
    );
    await migrateAll({ env, appEnv: base.credentials.migrate, concurrency: 7 });
    const sys = await startSystem({ env, appEnv, ports, concurrent: true, handleSignals: false, timeoutMs: 60_000 });
    const proxies = [postgres, rabbitmq];
    const system: TestSystem = {
      ...base,
      sys,
      databaseUrl: base.databaseUrl,
      api: () => request(sys.url('orchestrator')),
      http: (app) => operatorRequest(sys.url(app), base.certsDir),
      certsDir: base.certsDir,
      db: base.db,
      stop: async () => {
        for (const proxy of proxies) proxy.restore();
        await sys.stopAll();
        await Promise.all(proxies.map((p) => p.close()));
        await base.stop();
      },
    };
    return { system, postgres, rabbitmq };
  } catch (error) {
    await postgres?.close();
    await rabbitmq?.close();
    await base.stop();
    throw error;
  }
}
