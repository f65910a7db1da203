import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { lastValueFrom, of } from 'rxjs';
import { DevControlsModule, DevDelayInterceptor } from './dev-faults.controller.js';
import { devFaults } from './dev-faults.js';

describe('DevDelayInterceptor ("slow a service down")', () => {
  afterEach(() => devFaults.reset());
  const context = (type: 'rpc' | 'http') => ({ getType: () => type }) as unknown as ExecutionContext;
  const handler: CallHandler = { handle: () => of('answer') };

  async function timed(type: 'rpc' | 'http'): Promise<number> {
    const started = Date.now();
    expect(await lastValueFrom(new DevDelayInterceptor().intercept(context(type), handler))).toBe('answer');
    return Date.now() - started;
  }

  it('delays every TCP command by the injected delay, and nothing else', async () => {
    devFaults.set({ delayMs: 150 });
    expect(await timed('rpc')).toBeGreaterThanOrEqual(145);
    expect(await timed('http')).toBeLessThan(100);
  });

  it('adds nothing when no delay is injected', async () => {
    expect(await timed('rpc')).toBeLessThan(100);
  });
});

describe('DevControlsModule', () => {
  it('has no route and no interceptor under production rules', () => {
    expect(DevControlsModule.forRoot(undefined)).toEqual({ module: DevControlsModule });
    expect(DevControlsModule.forRoot('production')).toEqual({ module: DevControlsModule });
    expect(DevControlsModule.forRoot('development').controllers).toHaveLength(1);
  });
});
