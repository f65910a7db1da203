import { type DynamicModule, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import type { ServiceIdentity } from '@bank/contracts';
import { clientTls, type TlsIdentity } from '../tls/tls-identity.js';
import { RpcClient } from './rpc-client.js';
import { DEFAULT_TCP_MAX_BUFFER_SIZE } from './tcp-server.js';

export interface RpcTarget {
  /** Injection token of the RpcClient, e.g. ACCOUNTS_RPC. */
  token: string;
  /** The service called: also the name its server certificate must carry. */
  name: ServiceIdentity;
  host: string;
  port: number;
  timeoutMs: number;
  retries: number;
  /** Longest reply frame accepted (TCP_MAX_BUFFER_SIZE); DEFAULT_TCP_MAX_BUFFER_SIZE when unset. */
  maxBufferSize?: number;
}

const PROXIES = Symbol('RPC_PROXIES');
/** First pause before a quick retry; it doubles with each (see `rpcCallBudgetMs`). */
export const RPC_BASE_BACKOFF_MS = 50;

@Injectable()
class RpcProxiesCloser implements OnApplicationShutdown {
  constructor(@Inject(PROXIES) private readonly proxies: ClientProxy[]) {}
  async onApplicationShutdown(): Promise<void> {
    // close() is typed loosely (it may or may not return a promise): wait for whatever it returns.
    await Promise.all(this.proxies.map((p): Promise<unknown> => Promise.resolve(p.close() as unknown)));
  }
}

/**
 * Registers one RpcClient per target service, each over mutual TLS as `identity`; their sockets
 * stay open between calls (one handshake per connection, not per command) and close on shutdown.
 */
@Module({})
export class RpcModule {
  static register(targets: RpcTarget[], identity: TlsIdentity): DynamicModule {
    const proxies = targets.map((t) =>
      ClientProxyFactory.create({
        transport: Transport.TCP,
        options: {
          host: t.host,
          port: t.port,
          tlsOptions: clientTls(identity, t.name),
          maxBufferSize: t.maxBufferSize ?? DEFAULT_TCP_MAX_BUFFER_SIZE,
        },
      }),
    );
    return {
      module: RpcModule,
      global: true,
      providers: [
        { provide: PROXIES, useValue: proxies },
        RpcProxiesCloser,
        ...targets.map((t, i) => ({
          provide: t.token,
          useValue: new RpcClient(proxies[i], t.name, { timeoutMs: t.timeoutMs, retries: t.retries, baseBackoffMs: RPC_BASE_BACKOFF_MS }),
        })),
      ],
      exports: targets.map((t) => t.token),
    };
  }
}
