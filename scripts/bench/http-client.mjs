// A small HTTP/1.1 client on node:http(s) with keep-alive agents: no dependency, and the cost per
// request is low enough that the load generator is not what limits a 2-core machine. The public
// edge speaks HTTP; internal ports speak TLS, read here as the `operator` identity.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { ROOT } from '../lib/system.mjs';

/** The operator's TLS material from CERTS_DIR (the same directory start:all gives the apps). */
function operatorTls(env = process.env) {
  const dir = path.resolve(ROOT, env.CERTS_DIR || 'certs');
  const read = (file) => readFileSync(path.join(dir, file));
  return { ca: read('ca.crt'), cert: read('operator.crt'), key: read('operator.key'), minVersion: 'TLSv1.3' };
}

/**
 * One keep-alive agent per role and protocol, so the probes of the lag sampler never queue behind
 * the load and each TLS connection is set up once, not per request.
 */
export function keepAliveAgent(maxSockets) {
  const options = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'fifo' };
  let tls;
  return {
    http: new http.Agent(options),
    // Made on first use: a run against the public edge alone needs no certificates.
    get https() {
      tls ??= new https.Agent({ ...options, ...operatorTls() });
      return tls;
    },
    destroy() {
      this.http.destroy();
      tls?.destroy();
    },
  };
}

/**
 * Sends one request. Resolves `{ status, headers, body, text, ms }` (`body` parsed when the
 * response is JSON) or, when the connection fails, `{ status: 0, error: 'ECONNREFUSED', ms }`.
 * Never rejects: the load generator counts failures instead of stopping.
 */
export function send(baseUrl, { method = 'GET', path = '/', headers = {}, body, agent, timeoutMs = 30_000 } = {}) {
  const url = new URL(path, baseUrl);
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const started = process.hrtime.bigint();
  const elapsedMs = () => Number(process.hrtime.bigint() - started) / 1e6;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result) => {
      if (settled) return;
      settled = true;
      resolve({ ...result, ms: elapsedMs() });
    };
    const secure = url.protocol === 'https:';
    const req = (secure ? https : http).request(
      {
        method,
        hostname: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        agent: agent && (secure ? agent.https : agent.http),
        headers: {
          accept: 'application/json, application/problem+json',
          ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('error', (error) => finish({ status: 0, error: error.code ?? error.message }));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed;
          if (/json/.test(res.headers['content-type'] ?? '') && text.length > 0) {
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = undefined;
            }
          }
          finish({ status: res.statusCode ?? 0, headers: res.headers, body: parsed, text });
        });
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (error) => finish({ status: 0, error: error.code ?? error.message }));
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** `send`, but throws unless the status is one of `expected`. For setup steps, where anything else is fatal. */
export async function sendExpect(baseUrl, expected, options) {
  const res = await send(baseUrl, options);
  const ok = Array.isArray(expected) ? expected.includes(res.status) : res.status === expected;
  if (!ok) {
    const what = res.status === 0 ? `connection failed (${res.error})` : `${res.status} ${res.text?.slice(0, 300) ?? ''}`;
    throw new Error(`${options.method ?? 'GET'} ${new URL(options.path ?? '/', baseUrl)}: ${what}`);
  }
  return res;
}

/** Runs `task(item, index)` over `items` with at most `limit` running at once; returns results in order. */
export async function mapLimit(items, limit, task) {
  const results = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i], i);
    }
  });
  await Promise.all(workers);
  return results;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
