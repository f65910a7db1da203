import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from 'node:tls';
import { firstValueFrom } from 'rxjs';
import { AccountsPatterns } from '@bank/contracts';
import { writeCerts } from '../../../../scripts/lib/certs.mjs';
import { clientTls, loadTlsIdentity, tcpServerTls } from '../tls/tls-identity.js';
import { DEFAULT_TCP_MAX_BUFFER_SIZE, TcpServer } from './tcp-server.js';

/** One Nest frame as a raw peer writes it: `<length>#<json>`. */
function frame(data: unknown, id = 'f1'): string {
  const json = JSON.stringify({ pattern: AccountsPatterns.ListBalances, data, id });
  return `${json.length}#${json}`;
}

describe('TCP frame limit (real TLS on loopback)', () => {
  const certsDir = mkdtempSync(path.join(tmpdir(), 'tcp-frame-certs-'));
  writeCerts(certsDir);
  const servers: TcpServer[] = [];
  const clients: ClientProxy[] = [];
  let handled = 0;

  /** A server as accounts that echoes what it is sent; returns its port. */
  async function start(maxBufferSize?: number): Promise<number> {
    const server = new TcpServer({
      host: '127.0.0.1',
      port: 0,
      tlsOptions: tcpServerTls(loadTlsIdentity(certsDir, 'accounts')),
      ...(maxBufferSize === undefined ? {} : { maxBufferSize }),
    });
    server.addHandler(AccountsPatterns.ListBalances, (data: unknown) => {
      handled++;
      return Promise.resolve(data);
    });
    servers.push(server);
    await new Promise<void>((resolve) => void server.listen(() => resolve()));
    return (server.unwrap<Server>().address() as AddressInfo).port;
  }

  /** A client as ledger (allowed to send the pattern). */
  function client(port: number, maxBufferSize?: number): ClientProxy {
    const proxy = ClientProxyFactory.create({
      transport: Transport.TCP,
      options: { host: '127.0.0.1', port, tlsOptions: clientTls(loadTlsIdentity(certsDir, 'ledger'), 'accounts'), maxBufferSize },
    });
    clients.push(proxy);
    return proxy;
  }

  /** Writes `payload` as ledger over TLS; true once the server closed the connection, false after `ms`. */
  async function closedByServer(port: number, payload: string, ms = 5_000): Promise<boolean> {
    const socket = connect({ host: '127.0.0.1', port, ...clientTls(loadTlsIdentity(certsDir, 'ledger'), 'accounts') });
    socket.on('error', () => undefined);
    socket.on('data', () => undefined);
    await once(socket, 'secureConnect');
    const closed = once(socket, 'close').then(() => true);
    socket.write(payload);
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([closed, new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)))]);
    clearTimeout(timer);
    socket.destroy();
    return result;
  }

  beforeEach(() => {
    handled = 0;
  });

  afterEach(async () => {
    for (const proxy of clients.splice(0)) await Promise.resolve(proxy.close() as unknown);
    for (const server of servers.splice(0)) server.close();
  });

  afterAll(() => rmSync(certsDir, { recursive: true, force: true }));

  it('closes a connection that sends a frame over the limit, handles nothing of it, and keeps serving others', async () => {
    const port = await start(4_096);
    expect(await closedByServer(port, frame('x'.repeat(8_000)))).toBe(true);
    expect(handled).toBe(0);
    await expect(firstValueFrom(client(port).send(AccountsPatterns.ListBalances, 'still here'))).resolves.toBe('still here');
    expect(handled).toBe(1);
  });

  it('has a limit of its own, well below the heap, when none is configured', async () => {
    expect(DEFAULT_TCP_MAX_BUFFER_SIZE).toBeLessThanOrEqual(8 * 1024 * 1024);
    const port = await start();
    expect(await closedByServer(port, frame('x'.repeat(DEFAULT_TCP_MAX_BUFFER_SIZE + 1_000)))).toBe(true);
    expect(handled).toBe(0);
    // A frame under the limit still goes through.
    const text = 'y'.repeat(DEFAULT_TCP_MAX_BUFFER_SIZE / 2);
    await expect(firstValueFrom(client(port).send(AccountsPatterns.ListBalances, text))).resolves.toHaveLength(text.length);
  });

  it('a client refuses a reply over its own limit instead of buffering it', async () => {
    const port = await start(4 * DEFAULT_TCP_MAX_BUFFER_SIZE);
    const small = client(port, 4_096);
    await expect(firstValueFrom(small.send(AccountsPatterns.ListBalances, 'z'.repeat(3_000)))).resolves.toHaveLength(3_000);
    await expect(firstValueFrom(small.send(AccountsPatterns.ListBalances, 'z'.repeat(8_000)))).rejects.toThrow();
  });
});
