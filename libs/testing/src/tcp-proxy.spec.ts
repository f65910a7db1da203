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
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received).toBe('');
    expect(socket.destroyed).toBe(false);
    socket.destroy();
  });
});
