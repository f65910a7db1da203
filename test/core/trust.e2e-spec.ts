import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { firstValueFrom, timeout } from 'rxjs';
import request from 'supertest';
import { clientTls, loadTlsIdentity } from '@bank/common';
import {
  AccountsPatterns,
  AuthPatterns,
  InternalReads,
  LedgerPatterns,
  NotificationsPatterns,
  type ServiceIdentity,
} from '@bank/contracts';
import { writeCerts } from '../../scripts/lib/certs.mjs';
import { eventually } from '@bank/testing';
import { startTestSystem, type TestSystem } from '../support/test-system.js';

/**
 * Zero trust inside (issue 13): no internal port answers without a certificate from the system's
 * CA, and each command or read answers only the identities the caller table lists.
 */
describe('trust boundaries (real apps)', () => {
  let system: TestSystem;
  const clients: ClientProxy[] = [];

  beforeAll(async () => {
    system = await startTestSystem();
  }, 120_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => Promise.resolve(c.close() as unknown)));
    await system?.stop();
  }, 60_000);

  const tcpPort = (app: string) => system.sys.ports[app].tcp!;

  /** A Nest TCP client of `target` presenting `as`'s certificate, as the apps' RpcModule does. */
  const client = (as: ServiceIdentity, target: ServiceIdentity) => {
    const proxy = ClientProxyFactory.create({
      transport: Transport.TCP,
      options: { host: '127.0.0.1', port: tcpPort(target), tlsOptions: clientTls(loadTlsIdentity(system.certsDir, as), target) },
    });
    clients.push(proxy);
    return proxy;
  };
  /** The reply, or the error the server answered ({code, message}). */
  const send = async (as: ServiceIdentity, target: ServiceIdentity, pattern: string, data: object = {}) => {
    try {
      return { reply: await firstValueFrom(client(as, target).send<unknown>(pattern, data).pipe(timeout(5_000))) };
    } catch (error) {
      return { error: error as { code?: string; message?: string } };
    }
  };
  const refused = { error: expect.objectContaining({ code: 'CALLER_NOT_ALLOWED' }) };

  describe('TCP commands: one allowed and one refused caller per service', () => {
    it('accounts: the ledger lists every balance, the orchestrator may not', async () => {
      expect(await send('ledger', 'accounts', AccountsPatterns.ListBalances)).toEqual({ reply: expect.anything() });
      expect(await send('orchestrator', 'accounts', AccountsPatterns.ListBalances)).toEqual(refused);
    });

    it('ledger: the operator reconciles, the orchestrator may not', async () => {
      expect(await send('operator', 'ledger', LedgerPatterns.Reconcile)).toEqual({ reply: expect.objectContaining({ ok: true }) });
      expect(await send('orchestrator', 'ledger', LedgerPatterns.Reconcile)).toEqual(refused);
    });

    it('auth: the orchestrator reads the signing keys; the operator may not start an OTP challenge, and none is written', async () => {
      expect(await send('orchestrator', 'auth', AuthPatterns.GetSigningKeys)).toEqual({ reply: expect.anything() });
      const before = await system.db.query('SELECT count(*)::int AS n FROM auth.otp_challenges');
      expect(await send('operator', 'auth', AuthPatterns.StartOtpChallenge, { phone: '+4915000000001' })).toEqual(refused);
      expect((await system.db.query('SELECT count(*)::int AS n FROM auth.otp_challenges')).rows).toEqual(before.rows);
    });

    it('notifications: the orchestrator gets through to validation, another service is refused before it', async () => {
      expect(await send('orchestrator', 'notifications', NotificationsPatterns.SendOtp)).toEqual({
        error: expect.objectContaining({ code: 'VALIDATION_FAILED' }),
      });
      expect(await send('accounts', 'notifications', NotificationsPatterns.SendOtp)).toEqual(refused);
    });

    it('logs each refusal with its error code, the caller and the pattern', async () => {
      const wanted = { errorCode: 'CALLER_NOT_ALLOWED', caller: 'orchestrator', pattern: AccountsPatterns.ListBalances };
      const readRefusals = async () =>
        (await readFile(system.sys.logFile('accounts')!, 'utf8'))
          .split('\n')
          .slice(0, -1) // the last piece is a line still being written, or empty
          .filter((line) => line.includes('CALLER_NOT_ALLOWED'))
          .map((line) => JSON.parse(line) as Record<string, unknown>);
      // The app's logger writes asynchronously: the line may reach the file after the refusal reached us.
      const refusals = await eventually(readRefusals, (lines) =>
        lines.some((line) => Object.entries(wanted).every(([key, value]) => line[key] === value)),
      ).catch(readRefusals);
      expect(refusals).toContainEqual(expect.objectContaining(wanted));
    });
  });

  describe('TCP without a certificate of the system', () => {
    const frame = (packet: object) => {
      const json = JSON.stringify(packet);
      return `${json.length}#${json}`;
    };

    it('a plain TCP client writing a Nest frame gets no answer (the port speaks only TLS)', async () => {
      const socket = net.connect({ host: '127.0.0.1', port: tcpPort('auth') });
      const received: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => received.push(chunk));
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write(frame({ pattern: AuthPatterns.StartOtpChallenge, data: { phone: '+4915000000002' }, id: 'x1' }));
      // The server drops the connection at the failed handshake.
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.once('error', () => undefined);
      });
      expect(Buffer.concat(received).toString('latin1')).not.toMatch(/"id"|challengeId|"err"/);
    });

    const handshake = (options: tls.ConnectionOptions, port: number) =>
      new Promise<{ error?: string; answered: string }>((resolve) => {
        const socket = tls.connect({ host: '127.0.0.1', port, ...options });
        let answered = '';
        socket.on('secureConnect', () => socket.write(frame({ pattern: AuthPatterns.GetSigningKeys, data: {}, id: 'x2' })));
        socket.on('data', (chunk: Buffer) => {
          answered += chunk.toString('utf8');
          // An answer is all we wait for: the server keeps the connection open for more.
          if (answered.includes('"id":"x2"')) socket.end();
        });
        socket.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message, answered }));
        socket.on('close', () => resolve({ answered }));
      });

    it('a TLS client without a certificate is refused at the handshake', async () => {
      const ca = readFileSync(path.join(system.certsDir, 'ca.crt'));
      const result = await handshake({ ca }, tcpPort('auth'));
      expect(result).toEqual({ error: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', answered: '' });
    });

    it('a certificate named "orchestrator" from another CA is refused at the handshake; the real one is answered', async () => {
      const elsewhere = mkdtempSync(path.join(os.tmpdir(), 'other-ca-'));
      try {
        writeCerts(elsewhere);
        const ca = readFileSync(path.join(system.certsDir, 'ca.crt'));
        const real = loadTlsIdentity(system.certsDir, 'orchestrator');
        expect((await handshake({ ca, cert: real.cert, key: real.key }, tcpPort('auth'))).answered).toContain('"id":"x2"');
        const forged = loadTlsIdentity(elsewhere, 'orchestrator');
        const result = await handshake({ ca, cert: forged.cert, key: forged.key }, tcpPort('auth'));
        expect(result.answered).toBe('');
        // The server's alert, or just the closed connection, depending on timing.
        if (result.error !== undefined) expect(result.error).toMatch(/UNKNOWN_CA|ECONNRESET/);
      } finally {
        rmSync(elsewhere, { recursive: true, force: true });
      }
    });
  });

  describe('internal HTTP ports', () => {
    const read = (route: string) =>
      route
        .replace(/^(GET|POST) /, '')
        .replace(':eventId', '6f9619ff-8b86-4d01-b42d-00cf4fc964ff')
        .replace(/^\/outbox$/, '/outbox?recipient=%2B4915000000003');
    /** supertest over TLS with the run's CA, as `as` ('none': no client certificate). */
    const as = (who: ServiceIdentity | 'none', app: string) => {
      const file = (f: string) => readFileSync(path.join(system.certsDir, f));
      return request.agent(system.sys.url(app), {
        ca: file('ca.crt'),
        ...(who === 'none' ? {} : { cert: file(`${who}.crt`), key: file(`${who}.key`) }),
      });
    };

    it('answers /health and /metrics to any TLS client, without a certificate', async () => {
      for (const app of ['accounts', 'ledger', 'auth', 'notifications', 'audit', 'analytics']) {
        expect({ app, status: (await as('none', app).get('/health')).status }).toEqual({ app, status: 200 });
        expect({ app, status: (await as('none', app).get('/metrics')).status }).toEqual({ app, status: 200 });
      }
    });

    it('answers no business read without a certificate, and each to the operator (the dev controls to the orchestrator only)', async () => {
      for (const entry of Object.values(InternalReads)) {
        const method = entry.route.startsWith('POST ') ? 'post' : 'get';
        for (const app of entry.apps) {
          const path = read(entry.route);
          const anonymous = await as('none', app)[method](path);
          expect({ app, path, status: anonymous.status, code: anonymous.body.code }).toEqual({
            app,
            path,
            status: 403,
            code: 'CALLER_NOT_ALLOWED',
          });
          if (!(entry.callers as readonly string[]).includes('operator')) {
            const operatorRefused = await as('operator', app)[method](path).send({});
            expect({ app, path, code: operatorRefused.body.code }).toEqual({ app, path, code: 'CALLER_NOT_ALLOWED' });
            const orchestrator = await as('orchestrator', app)[method](path).send({});
            expect({ app, path, status: orchestrator.status }).toEqual({ app, path, status: 200 });
            continue;
          }
          const operator = await as('operator', app).get(path);
          // 404 EVENT_NOT_HANDLED for the made-up event id is an answer.
          expect({ app, path, answered: [200, 404].includes(operator.status), code: operator.body.code }).toEqual({
            app,
            path,
            answered: true,
            code: operator.status === 404 ? 'EVENT_NOT_HANDLED' : undefined,
          });
        }
      }
    });

    it('gives the orchestrator what the timeline and the page read, and nothing else', async () => {
      expect((await as('orchestrator', 'audit').get('/audit/events').query({ limit: 1 })).status).toBe(200);
      expect((await as('orchestrator', 'analytics').get(read(InternalReads.Inbox.route))).body.code).toBe('EVENT_NOT_HANDLED');
      expect((await as('orchestrator', 'analytics').get('/analytics/summary')).body.code).toBe('CALLER_NOT_ALLOWED');
      // The dev outbox (development only) shows the page's "try it" the SMS that was sent.
      expect((await as('orchestrator', 'notifications').get('/outbox').query({ recipient: '+4915000000003' })).status).toBe(200);
      expect((await as('orchestrator', 'audit').get('/audit/verify')).body.code).toBe('CALLER_NOT_ALLOWED');
    });

    it('speaks no plain HTTP on an internal port', async () => {
      const plain = await request(system.sys.url('audit').replace('https:', 'http:'))
        .get('/audit/verify')
        .then(
          (res) => res.status,
          (error: NodeJS.ErrnoException) => error.code ?? error.message,
        );
      expect(plain).not.toBe(200);
    });
  });

  it('listens on loopback only (BIND_HOST=127.0.0.1)', async () => {
    const outside = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    const ports = Object.values(system.sys.ports).flatMap((p) => (p.tcp === undefined ? [p.http] : [p.http, p.tcp]));
    for (const port of ports) {
      // Proves the test can see the port at all.
      expect(await connects('127.0.0.1', port)).toBe(true);
      if (outside) expect({ port, outside: await connects(outside, port) }).toEqual({ port, outside: false });
    }
  });
});

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(1_000, () => (socket.destroy(), resolve(false)));
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}
