import { createServer, connect, type Server, type Socket } from 'node:net';
import { connect as connectTls, createServer as createTlsServer, type ConnectionOptions, type TlsOptions } from 'node:tls';

export interface TcpProxyOptions {
  targetHost: string;
  targetPort: number;
  /** 0 (default) picks a free port; read it from `port`. */
  listenPort?: number;
  listenHost?: string;
  /** Sees every byte forwarded, for tests that check what travels on a link (in clear, also with `tls`). */
  tap?: (direction: 'to-server' | 'to-client', chunk: Buffer) => void;
  /**
   * Terminates TLS on both sides instead of passing bytes through: clients handshake with `server`
   * (the certificate the real server would show), and the proxy connects upstream with `client` (the
   * certificate the real client would present), so `tap` sees what travels inside.
   */
  tls?: { server: TlsOptions; client: ConnectionOptions };
}

/**
 * A TCP proxy for tests, to put between a client and a server (RabbitMQ, Postgres) and cut the
 * link on demand. `cut()` resets every open connection and refuses new ones until `restore()`;
 * `blackhole()` keeps the sockets open but drops every byte both ways (a silent network
 * partition, noticed only by heartbeats or timeouts).
 */
export class TcpProxy {
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();
  private mode: 'open' | 'cut' | 'blackhole' = 'open';
  /** Bytes a blackhole swallowed, both ways: lets a test wait for a drop instead of sleeping. */
  droppedBytes = 0;

  private constructor(
    private readonly server: Server,
    private readonly options: TcpProxyOptions,
  ) {}

  static async start(options: TcpProxyOptions): Promise<TcpProxy> {
    const server = options.tls ? createTlsServer(options.tls.server) : createServer();
    const proxy = new TcpProxy(server, options);
    server.on(options.tls ? 'secureConnection' : 'connection', (client: Socket) => proxy.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.listenPort ?? 0, options.listenHost ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return proxy;
  }

  get port(): number {
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy not listening');
    return address.port;
  }

  get host(): string {
    return this.options.listenHost ?? '127.0.0.1';
  }

  /** Open client connections through the proxy. */
  get connections(): number {
    return this.pairs.size;
  }

  get state(): 'open' | 'cut' | 'blackhole' {
    return this.mode;
  }

  /** Resets every connection and refuses new ones, like a broker that went away. */
  cut(): void {
    this.mode = 'cut';
    for (const pair of this.pairs) {
      pair.client.resetAndDestroy();
      pair.upstream.destroy();
    }
    this.pairs.clear();
  }

  /** Keeps connections open but forwards nothing, like a dead network path. */
  blackhole(): void {
    this.mode = 'blackhole';
  }

  /** Forwards again; connections opened from now on work normally. */
  restore(): void {
    this.mode = 'open';
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.mode === 'cut') {
      client.resetAndDestroy();
      return;
    }
    const target = { host: this.options.targetHost, port: this.options.targetPort };
    const upstream = this.options.tls ? connectTls({ ...this.options.tls.client, ...target }) : connect(target);
    const pair = { client, upstream };
    this.pairs.add(pair);
    const drop = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
    client.on('data', (chunk: Buffer) => {
      if (this.mode !== 'open') this.droppedBytes += chunk.length;
      else {
        this.options.tap?.('to-server', chunk);
        if (!upstream.write(chunk)) client.pause();
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      if (this.mode !== 'open') this.droppedBytes += chunk.length;
      else {
        this.options.tap?.('to-client', chunk);
        if (!client.write(chunk)) upstream.pause();
      }
    });
    upstream.on('drain', () => client.resume());
    client.on('drain', () => upstream.resume());
  }
}
