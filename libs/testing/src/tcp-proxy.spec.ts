import { createServer, connect, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { TcpProxy } from './tcp-proxy.js';

/** An echo server on a free port: what the proxy forwards comes back. */
async function echoServer(): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as { port: number }).port, sockets };
}

async function roundTrip(port: number, text: string): Promise<string> {
  const socket = connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  socket.write(text);
  const [chunk] = (await once(socket, 'data')) as [Buffer];
  socket.destroy();
  return chunk.toString();
}

describe('TcpProxy', () => {
  let echo: Awaited<ReturnType<typeof echoServer>>;
  let proxy: TcpProxy;

  beforeEach(async () => {
    echo = await echoServer();
    proxy = await TcpProxy.start({ targetHost: '127.0.0.1', targetPort: echo.port });
  });
  afterEach(async () => {
    await proxy.close();
    for (const s of echo.sockets) s.destroy();
    await new Promise((resolve) => echo.server.close(resolve));
  });

  it('forwards both ways', async () => {
    expect(await roundTrip(proxy.port, 'hello')).toBe('hello');
  });

  it('shows every forwarded byte to its tap, with the direction', async () => {
    const seen: string[] = [];
    const tapped = await TcpProxy.start({
      targetHost: '127.0.0.1',
      targetPort: echo.port,
      tap: (way, chunk) => seen.push(`${way}:${chunk.toString()}`),
    });
    try {
      expect(await roundTrip(tapped.port, 'ping')).toBe('ping');
      expect(seen).toEqual(['to-server:ping', 'to-client:ping']);
    } finally {
      await tapped.close();
    }
  });

  it('cut resets open connections and refuses new ones until restored', async () => {
    const socket = connect({ host: '127.0.0.1', port: proxy.port });
    socket.on('error', () => undefined);
    await once(socket, 'connect');
    await new Promise((resolve) => setImmediate(resolve));
    expect(proxy.connections).toBe(1);
    const closed = new Promise((resolve) => socket.on('close', resolve));
    proxy.cut();
    await closed;
    expect(proxy.connections).toBe(0);

    const refused = connect({ host: '127.0.0.1', port: proxy.port });
    const outcome = await new Promise<string>((resolve) => {
      refused.on('error', () => resolve('error'));
      refused.on('close', () => resolve('closed'));
      refused.on('data', () => resolve('data'));
      refused.on('connect', () => refused.write('x'));
    });
    expect(['error', 'closed']).toContain(outcome);

    proxy.restore();
    expect(await roundTrip(proxy.port, 'again')).toBe('again');
  });

  it('blackhole keeps the connection but forwards nothing', async () => {
    const socket = connect({ host: '127.0.0.1', port: proxy.port });
    await once(socket, 'connect');
    proxy.blackhole();
    let received = '';
    socket.on('data', (c: Buffer) => (received += c.toString()));
    socket.write('lost');
    await until(() => proxy.droppedBytes === 4);
    expect(received).toBe('');
    expect(socket.destroyed).toBe(false);
    // The same connection carries data again after restore, and the swallowed bytes never arrive.
    proxy.restore();
    socket.write('after');
    await until(() => received.length >= 5);
    expect(received).toBe('after');
    socket.destroy();
  });
});

/** Polls a condition every few milliseconds, failing after a second. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 1_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 1 s');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
