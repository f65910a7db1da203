import { Agent, request } from 'node:https';
import { clientTls, type TlsIdentity } from '@bank/common';
import type { InternalApp } from './ui.views.js';

/** The apps with "break it" controls (POST /dev/faults). */
export const FAULTABLE_APPS = ['accounts', 'ledger', 'notifications', 'audit', 'analytics'] as const satisfies readonly InternalApp[];
export type FaultableApp = (typeof FAULTABLE_APPS)[number];

export interface InternalAnswer {
  status: number;
  text: string;
}

/**
 * HTTPS to the internal ports as the orchestrator (its own certificate, the server's checked), over
 * keep-alive connections: one handshake per connection, not per read. Created only when a page is
 * open (the system poller or a control), so an unwatched system pays nothing.
 */
export class InternalHttp {
  private readonly agents = new Map<InternalApp, Agent>();

  constructor(
    private readonly urls: Record<InternalApp, string>,
    private readonly identity: TlsIdentity,
  ) {}

  get(app: InternalApp, path: string, timeoutMs: number): Promise<InternalAnswer> {
    return this.send(app, 'GET', path, undefined, timeoutMs);
  }

  post(app: InternalApp, path: string, body: unknown, timeoutMs: number): Promise<InternalAnswer> {
    return this.send(app, 'POST', path, JSON.stringify(body), timeoutMs);
  }

  destroy(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }

  private agent(app: InternalApp): Agent {
    let agent = this.agents.get(app);
    if (!agent) {
      agent = new Agent({ keepAlive: true, maxSockets: 4, ...clientTls(this.identity, app) });
      this.agents.set(app, agent);
    }
    return agent;
  }

  private send(app: InternalApp, method: string, path: string, body: string | undefined, timeoutMs: number): Promise<InternalAnswer> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { accept: 'application/json, text/plain' };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const req = request(
        `${this.urls[app]}${path}`,
        { method, agent: this.agent(app), signal: AbortSignal.timeout(timeoutMs), headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus text format, the lines we read: `name{a="x",b="y"} value`. Comments and the rest are skipped. */
export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]] = pair[2].replace(/\\(.)/g, '$1');
    const value = Number(match[3]);
    if (Number.isFinite(value)) samples.push({ name: match[1], labels, value });
  }
  return samples;
}

/** Sum of a metric's samples whose labels match. */
export function sumOf(samples: Sample[], name: string, where: (labels: Record<string, string>) => boolean = () => true): number {
  return samples.filter((s) => s.name === name && where(s.labels)).reduce((sum, s) => sum + s.value, 0);
}
