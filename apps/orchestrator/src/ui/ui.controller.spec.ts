import { DomainError } from '@bank/contracts';
import type { InternalHttp } from './internal-http.js';
import type { SystemMonitor } from './system-monitor.service.js';
import type { TransferLiveService } from './transfer-live.service.js';
import type { TransferReads } from '../transfers/transfer-reads.service.js';
import { UiController } from './ui.controller.js';
import { DevFaultBook, type UiSettings } from './ui.settings.js';

describe('UiController: try it and break it only under development rules', () => {
  const calls: string[] = [];
  const http = {
    get: (app: string, path: string) => {
      calls.push(`GET ${app}${path}`);
      return Promise.resolve({ status: 200, text: '[]' });
    },
    post: (app: string, path: string) => {
      calls.push(`POST ${app}${path}`);
      return Promise.resolve({ status: 200, text: '{"paused":true,"refuseNext":0,"delayMs":0}' });
    },
  } as unknown as InternalHttp;
  const controller = (development: boolean) =>
    new UiController(
      { development, pollMs: 1000, timeoutMs: 800, controlTimeoutMs: 5000 } satisfies UiSettings,
      http,
      {} as SystemMonitor,
      {} as TransferLiveService,
      {} as TransferReads,
      new DevFaultBook(),
    );

  beforeEach(() => calls.splice(0));

  it('refuses every dev route with 403 DEVELOPMENT_ONLY in production, calling no service', async () => {
    const production = controller(false);
    await expect(production.sms({ phone: '+4915112345678' })).rejects.toMatchObject({ code: 'DEVELOPMENT_ONLY' });
    await expect(production.setFaults({ app: 'audit' }, { paused: true })).rejects.toMatchObject({ code: 'DEVELOPMENT_ONLY' });
    await expect(production.faultsNow()).rejects.toBeInstanceOf(DomainError);
    expect(production.info()).toMatchObject({ development: false, topology: { commands: expect.any(Array), events: expect.any(Array) } });
    expect(calls).toEqual([]);
  });

  it('forwards a control to the one app it concerns and remembers its answer', async () => {
    const development = controller(true);
    await expect(development.setFaults({ app: 'audit' }, { paused: true })).resolves.toEqual({ paused: true, refuseNext: 0, delayMs: 0 });
    expect(calls).toEqual(['POST audit/dev/faults']);
    calls.splice(0);
    // The page's panel asks each app for its state as it is now.
    expect((await development.faultsNow()).ledger).toEqual({ paused: true, refuseNext: 0, delayMs: 0 });
    expect(calls).toEqual([
      'POST accounts/dev/faults',
      'POST ledger/dev/faults',
      'POST notifications/dev/faults',
      'POST audit/dev/faults',
      'POST analytics/dev/faults',
    ]);
  });
});
