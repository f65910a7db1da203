import { jest } from '@jest/globals';
import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { firstValueFrom } from 'rxjs';
import { AccountsPatterns, type ServiceIdentity } from '@bank/contracts';
import { writeCerts } from '../../../../scripts/lib/certs.mjs';
import { clientTls, loadTlsIdentity, tcpServerTls } from '../tls/tls-identity.js';
import { TcpServer } from './tcp-server.js';

class Probe extends TcpServer {
  route(pattern: string): string {
    return this.getRouteFromPattern(pattern);
  }
}

describe('TcpServer routing', () => {
  const server = new Probe({ host: '127.0.0.1', port: 0 });

  it('routes a plain string pattern as itself, without parsing it', () => {
    const parse = jest.spyOn(JSON, 'parse');
    try {
      expect(server.route('ledger.post-transfer')).toBe('ledger.post-transfer');
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
  });

  it('still routes object patterns the way Nest does', () => {
    expect(server.route(JSON.stringify({ cmd: 'sum' }))).toBe(
      new Probe({ host: '127.0.0.1', port: 0 })['normalizePattern']({ cmd: 'sum' }),
    );
    expect(server.route('"quoted"')).toBe('quoted');
  });
});

describe('TcpServer caller check (real TLS on loopback)', () => {
  const certsDir = mkdtempSync(path.join(tmpdir(), 'tcp-server-certs-'));
  writeCerts(certsDir);
  const server = new TcpServer({ host: '127.0.0.1', port: 0, tlsOptions: tcpServerTls(loadTlsIdentity(certsDir, 'accounts')) });
  const handled: unknown[] = [];
  const clients: ClientProxy[] = [];
  let port = 0;

  beforeAll(async () => {
    server.addHandler(AccountsPatterns.ListBalances, (data: unknown) => {
      handled.push(data);
      return Promise.resolve({ balances: [] });
    });
    await new Promise<void>((resolve) => void server.listen(() => resolve()));
    port = (server.unwrap<Server>().address() as AddressInfo).port;
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => Promise.resolve(c.close() as unknown)));
    server.close();
    rmSync(certsDir, { recursive: true, force: true });
  });

  const send = async (as: ServiceIdentity, pattern: string) => {
    const client = ClientProxyFactory.create({
      transport: Transport.TCP,
      options: { host: '127.0.0.1', port, tlsOptions: clientTls(loadTlsIdentity(certsDir, as), 'accounts') },
    });
    clients.push(client);
    try {
      return { reply: await firstValueFrom(client.send<unknown>(pattern, { n: handled.length })) };
    } catch (error) {
      return { error };
    }
  };

  it('dispatches a command from an identity the caller table allows', async () => {
    expect(await send('ledger', AccountsPatterns.ListBalances)).toEqual({ reply: { balances: [] } });
    expect(handled).toHaveLength(1);
  });

  it('answers CALLER_NOT_ALLOWED to any other identity, without dispatching', async () => {
    const before = handled.length;
    for (const as of ['orchestrator', 'operator', 'accounts'] as const) {
      expect(await send(as, AccountsPatterns.ListBalances)).toEqual({
        error: { code: 'CALLER_NOT_ALLOWED', message: `${as} may not send ${AccountsPatterns.ListBalances}` },
      });
    }
    expect(handled).toHaveLength(before);
  });

  it('refuses a pattern missing from the table even to an otherwise trusted caller', async () => {
    expect(await send('ledger', 'accounts.drop-everything')).toEqual({ error: expect.objectContaining({ code: 'CALLER_NOT_ALLOWED' }) });
  });
});
