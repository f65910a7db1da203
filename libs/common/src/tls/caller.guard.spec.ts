import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory, Reflector } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InternalReads, type ServiceIdentity } from '@bank/contracts';
import { writeCerts } from '../../../../scripts/lib/certs.mjs';
import { ErrorMappingFilter } from '../errors/error-mapping.filter.js';
import { AnyTlsClient, CallerGuard, InternalRead } from './caller.guard.js';
import { httpsServerTls, loadTlsIdentity } from './tls-identity.js';

@Controller()
class SampleController {
  @InternalRead(InternalReads.AnalyticsSummary)
  @Get('summary')
  summary() {
    return { read: 'summary' };
  }

  @AnyTlsClient()
  @Get('health')
  health() {
    return { status: 'ok' };
  }

  @Get('forgotten')
  forgotten() {
    return { secret: true };
  }
}

@Module({ controllers: [SampleController] })
class SampleModule {}

describe('CallerGuard on an internal HTTPS port (real TLS on loopback)', () => {
  const certsDir = mkdtempSync(path.join(tmpdir(), 'caller-guard-certs-'));
  writeCerts(certsDir);
  // Same names, another CA: what anyone can make.
  const forgedDir = mkdtempSync(path.join(tmpdir(), 'caller-guard-forged-'));
  writeCerts(forgedDir);
  let app: NestFastifyApplication;
  let base = '';

  beforeAll(async () => {
    app = await NestFactory.create<NestFastifyApplication>(
      SampleModule,
      new FastifyAdapter({ https: httpsServerTls(loadTlsIdentity(certsDir, 'analytics')) }),
      { logger: false },
    );
    app.useGlobalFilters(new ErrorMappingFilter());
    app.useGlobalGuards(new CallerGuard(app.get(Reflector)));
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `https://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app.close();
    rmSync(certsDir, { recursive: true, force: true });
    rmSync(forgedDir, { recursive: true, force: true });
  });

  /** GET as `as` ('none': TLS with the CA, no client certificate): status and the problem's code. */
  const get = (route: string, as: ServiceIdentity | 'none', from = certsDir) =>
    new Promise<{ status: number; code?: string }>((resolve, reject) => {
      const ca = loadTlsIdentity(certsDir, 'operator').ca;
      const agent = new Agent(as === 'none' ? { ca } : { ...loadTlsIdentity(from, as), ca });
      const req = request(`${base}${route}`, { agent }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () => {
          agent.destroy();
          resolve({ status: res.statusCode ?? 0, code: (JSON.parse(text) as { code?: string }).code });
        });
      });
      req.on('error', reject);
      req.end();
    });

  it('answers a business read to the identities its InternalReads entry lists', async () => {
    expect(await get('/summary', 'operator')).toEqual({ status: 200 });
  });

  it('refuses it to any other identity and to a client without a certificate: 403 CALLER_NOT_ALLOWED', async () => {
    for (const as of ['orchestrator', 'analytics', 'none'] as const) {
      expect({ as, ...(await get('/summary', as)) }).toEqual({ as, status: 403, code: 'CALLER_NOT_ALLOWED' });
    }
  });

  it('refuses a certificate named "operator" that the CA did not sign (the handshake lets it in for /health)', async () => {
    expect(await get('/summary', 'operator', forgedDir)).toEqual({ status: 403, code: 'CALLER_NOT_ALLOWED' });
    expect(await get('/health', 'operator', forgedDir)).toEqual({ status: 200 });
  });

  it('answers a route marked AnyTlsClient without a certificate', async () => {
    expect(await get('/health', 'none')).toEqual({ status: 200 });
  });

  it('closes a route marked neither way, even to the operator', async () => {
    expect(await get('/forgotten', 'operator')).toEqual({ status: 403, code: 'CALLER_NOT_ALLOWED' });
  });
});
