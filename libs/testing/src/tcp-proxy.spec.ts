import { createServer, connect, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { connect as connectTls, createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { TEST_TLS_CERT, TEST_TLS_KEY } from './tcp-proxy.fixture.js';
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

describe('TcpProxy with tls', () => {
  it('terminates TLS on both sides (client certificates required) and taps the clear bytes', async () => {
    const tls = { ca: TEST_TLS_CERT, cert: TEST_TLS_CERT, key: TEST_TLS_KEY, minVersion: 'TLSv1.3' as const };
    const peers: string[] = [];
    const server = createTlsServer({ ...tls, requestCert: true, rejectUnauthorized: true }, (socket: TLSSocket) => {
      peers.push(String(socket.getPeerCertificate().subject.CN));
      socket.on('error', () => undefined);
      socket.pipe(socket);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const seen: string[] = [];
    const tapped = await TcpProxy.start({
      targetHost: '127.0.0.1',
      targetPort: (server.address() as { port: number }).port,
      tap: (way, chunk) => seen.push(`${way}:${chunk.toString()}`),
      tls: { server: { ...tls, requestCert: true, rejectUnauthorized: true }, client: tls },
    });
    try {
      const socket = connectTls({ ...tls, host: '127.0.0.1', port: tapped.port });
      await once(socket, 'secureConnect');
      socket.write('secret ping');
      const [chunk] = (await once(socket, 'data')) as [Buffer];
      socket.destroy();
      expect(chunk.toString()).toBe('secret ping');
      expect(seen).toEqual(['to-server:secret ping', 'to-client:secret ping']);
      expect(peers).toEqual(['tcp-proxy-test']);

      // Without a client certificate the proxy's handshake refuses the client.
      const anonymous = connectTls({ ca: TEST_TLS_CERT, host: '127.0.0.1', port: tapped.port, minVersion: 'TLSv1.3' });
      const outcome = await new Promise<string>((resolve) => {
        anonymous.on('error', () => resolve('refused'));
        anonymous.on('data', () => resolve('answered'));
        anonymous.on('secureConnect', () => anonymous.write('hello'));
      });
      anonymous.destroy();
      expect(outcome).toBe('refused');
    } finally {
      await tapped.close();
      server.close();
    }
  });
});
