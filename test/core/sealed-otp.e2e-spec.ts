import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { clientTls, loadTlsIdentity, tcpServerTls } from '@bank/common';
import { eventually, TcpProxy } from '@bank/testing';
import { migrateAll, startSystem, type RunningSystem } from '../../scripts/lib/system.mjs';
import { BankClient } from '../support/bank-client.js';
import { startTestSystem, type TestSystem } from '../support/test-system.js';

type Link = 'auth' | 'notifications';
type Direction = 'to-server' | 'to-client';

/**
 * The orchestrator drives generate -> send -> verify but never holds a code: auth seals it to
 * notifications' key. The real orchestrator runs here with its links to auth and notifications
 * through recording proxies that end its mutual TLS (showing it the service's certificate, and
 * presenting the orchestrator's upstream), so the test reads every byte it sends and receives on
 * them in clear, its replies and its log, and looks for the code a person reads from the dev outbox.
 */
describe('sealed OTP: the orchestrator never holds the code (real apps)', () => {
  let system: TestSystem;
  let orchestrator: RunningSystem | undefined;
  const proxies: TcpProxy[] = [];
  const traffic: { link: Link; direction: Direction; chunk: Buffer }[] = [];

  beforeAll(async () => {
    system = await startTestSystem({ apps: ['auth', 'notifications'] });
    const identity = (name: Link | 'orchestrator') => loadTlsIdentity(system.certsDir, name);
    const recorded = async (link: Link) => {
      const proxy = await TcpProxy.start({
        targetHost: '127.0.0.1',
        targetPort: system.sys.ports[link].tcp!,
        tap: (direction, chunk) => traffic.push({ link, direction, chunk: Buffer.from(chunk) }),
        tls: { server: tcpServerTls(identity(link)), client: clientTls(identity('orchestrator'), link) },
      });
      proxies.push(proxy);
      return proxy;
    };
    const [auth, notifications] = [await recorded('auth'), await recorded('notifications')];
    // Only the orchestrator is pointed at the proxies; auth and notifications listen where they did.
    const env = { ...system.sys.env, AUTH_TCP_PORT: String(auth.port), NOTIFICATIONS_TCP_PORT: String(notifications.port) };
    await migrateAll({ env, apps: ['orchestrator'] });
    orchestrator = await startSystem({
      env,
      ports: system.sys.ports,
      apps: ['orchestrator'],
      logDir: system.sys.logDir,
      handleSignals: false,
      timeoutMs: 60_000,
    });
  }, 300_000);

  afterAll(async () => {
    await orchestrator?.stopAll();
    for (const proxy of proxies) await proxy.close();
    await system?.stop();
  }, 60_000);

  const wire = (link: Link, direction: Direction) =>
    Buffer.concat(traffic.filter((t) => t.link === link && t.direction === direction).map((t) => t.chunk)).toString('utf8');
  // A code standing alone (not inside a uuid or a longer number) would be a leak.
  const holds = (text: string, code: string) => new RegExp(`(?<![0-9A-Za-z])${code}(?![0-9A-Za-z])`).test(text);

  it('carries the code sealed from auth to notifications; the person still logs in with the code from the outbox', async () => {
    const phone = BankClient.phone();
    const correlationId = `sealed-otp-${randomUUID()}`;
    traffic.length = 0;
    const replies: string[] = [];
    const codes: string[] = [];
    const sealedCodes: string[] = [];
    let challengeId = '';
    // The first code and a resend (send 2, another code, another seal).
    for (let send = 1; send <= 2; send++) {
      const started = await system.api().post('/auth/otp').set('x-correlation-id', correlationId).send({ phone }).expect(202);
      replies.push(JSON.stringify({ headers: started.headers, body: started.body as unknown }));
      challengeId = (started.body as { challengeId: string }).challengeId;
      const outbox = await system.http('notifications').get('/outbox').query({ recipient: phone }).expect(200);
      expect(outbox.body).toHaveLength(send);
      codes.push(/\b(\d{6})\b/.exec((outbox.body as { body: string }[])[0].body)![1]);
      const fromAuth = wire('auth', 'to-client');
      sealedCodes.push([...fromAuth.matchAll(/"sealedCode":"([A-Za-z0-9_-]+)"/g)][send - 1][1]);
    }

    const toAuth = wire('auth', 'to-server');
    const fromAuth = wire('auth', 'to-client');
    const toNotifications = wire('notifications', 'to-server');
    const fromNotifications = wire('notifications', 'to-client');
    // The capture is real: this login's frames are there, in clear.
    expect(toAuth).toContain('auth.start-otp-challenge');
    expect(toAuth).toContain(phone);
    expect(fromAuth).toContain(challengeId);
    expect(toNotifications).toContain('notifications.send-otp');
    expect(toNotifications).toContain(challengeId);
    expect(fromNotifications).toContain('messageId');
    // auth's sealed codes reach notifications unchanged, and each one is new.
    expect(new Set(sealedCodes).size).toBe(2);
    for (const sealed of sealedCodes) expect(toNotifications).toContain(`"sealedCode":"${sealed}"`);
    expect(toNotifications).not.toMatch(/"code"\s*:/);
    expect(fromAuth).not.toMatch(/"code"\s*:/);

    // Neither code in anything the orchestrator received, sent or answered.
    for (const code of codes) {
      for (const text of [toAuth, fromAuth, toNotifications, fromNotifications, ...replies]) expect(holds(text, code)).toBe(false);
    }

    // The person types the newest code, which the orchestrator now holds for the first time, and logs in.
    await system.api().post('/auth/otp/verify').send({ challengeId, code: codes[1] }).expect(200);

    // Not in its log either (read once it has logged this login's requests).
    const log = await eventually(
      () => readFile(orchestrator!.logFile('orchestrator')!, 'utf8'),
      (text) => text.split(correlationId).length - 1 >= 2,
    );
    for (const code of codes) expect(holds(log, code)).toBe(false);
  });
});
