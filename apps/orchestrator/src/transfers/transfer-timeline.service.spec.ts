import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { httpsServerTls, loadTlsIdentity, peerIdentity } from '@bank/common';
import type { InboxEntryView, ServiceIdentity } from '@bank/contracts';
import { writeCerts } from '../../../../scripts/lib/certs.mjs';
import { attemptsOf, pendingEntry, TransferTimelineService } from './transfer-timeline.service.js';
import type { StepRecord, TransferRow } from './transfer.row.js';

const TRANSFER_ID = '0b6f7a52-5f0e-4a43-9c55-1d2f3a4b5c6d';
const EVENT_ID = '7e1d2c3b-4a59-4687-9a0b-1c2d3e4f5a6b';
const TIMEOUT_MS = 300;

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

const certsDir = mkdtempSync(path.join(tmpdir(), 'timeline-certs-'));
writeCerts(certsDir);
afterAll(() => rmSync(certsDir, { recursive: true, force: true }));

/**
 * A stand-in for one service, over HTTPS with that service's certificate: answers with whatever
 * `handler` says, and remembers the paths asked, who asked, and how many connections it took.
 */
class FakeService {
  paths: string[] = [];
  callers: (string | undefined)[] = [];
  connections = 0;
  handler: Handler = (_request, response) => json(response, 500, {});
  private readonly open = new Set<ServerResponse>();

  private constructor(private readonly server: Server) {}

  static async start(name: ServiceIdentity): Promise<FakeService> {
    const server = createServer(httpsServerTls(loadTlsIdentity(certsDir, name)));
    const service = new FakeService(server);
    server.on('secureConnection', () => service.connections++);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      service.paths.push(request.url ?? '');
      service.callers.push(peerIdentity(request.socket));
      service.open.add(response);
      response.on('close', () => service.open.delete(response));
      service.handler(request, response);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return service;
  }

  get url(): string {
    return `https://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  async close(): Promise<void> {
    // Responses a test left hanging (the "too slow" service) would keep close() waiting.
    for (const response of this.open) response.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

function json(response: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  response.writeHead(status, { 'content-type': type }).end(JSON.stringify(body));
}

const auditRecords = [
  { eventId: EVENT_ID, type: 'transfer.completed', recordedAt: '2026-11-25T10:00:00.300Z', data: { transferId: TRANSFER_ID }, attempts: 1 },
];
const handled = (subscriber: string, at: string, attempts = 1): InboxEntryView => ({
  subscriber,
  eventId: EVENT_ID,
  eventType: 'transfer.completed',
  handledAt: at,
  attempts,
});
const notHandled = { status: 404, code: 'EVENT_NOT_HANDLED', title: 'Event not handled' };

const steps: StepRecord[] = [
  { name: 'RESERVE_FUNDS', status: 'STARTED', at: '2026-11-25T10:00:00.000Z' },
  { name: 'RESERVE_FUNDS', status: 'SUCCEEDED', at: '2026-11-25T10:00:00.100Z' },
  { name: 'COMMIT_FUNDS', status: 'SUCCEEDED', at: '2026-11-25T10:00:00.200Z' },
];

function row(finalEventId: string | null): TransferRow {
  return {
    id: TRANSFER_ID,
    customer_id: 'c1',
    idempotency_key: 'k',
    request_hash: 'h',
    from_account_id: 'a1',
    to_account_id: 'a2',
    to_customer_id: 'c2',
    amount: '500',
    currency: 'EUR',
    reference: null,
    status: 'COMPLETED',
    step: 'DONE',
    failure_code: null,
    steps,
    step_started_at: new Date(),
    attempts: 0,
    version: 5,
    responded: false,
    correlation_id: 'corr',
    created_at: new Date(),
    completed_at: new Date(),
    final_event_id: finalEventId,
  };
}

describe('TransferTimelineService', () => {
  let audit: FakeService;
  let notifications: FakeService;
  let analytics: FakeService;
  let timeline: TransferTimelineService;

  beforeEach(async () => {
    [audit, notifications, analytics] = await Promise.all([
      FakeService.start('audit'),
      FakeService.start('notifications'),
      FakeService.start('analytics'),
    ]);
    audit.handler = (_request, response) => json(response, 200, auditRecords);
    notifications.handler = (_request, response) => json(response, 200, handled('notifications', '2026-11-25T10:00:00.250Z'));
    analytics.handler = (_request, response) => json(response, 200, handled('analytics', '2026-11-25T10:00:00.400Z'));
    timeline = new TransferTimelineService({
      auditUrl: audit.url,
      notificationsUrl: notifications.url,
      analyticsUrl: analytics.url,
      timeoutMs: TIMEOUT_MS,
      identity: loadTlsIdentity(certsDir, 'orchestrator'),
      inboxRetentionHours: 168,
    });
  });

  afterEach(async () => {
    timeline.onModuleDestroy();
    await Promise.all([audit.close(), notifications.close(), analytics.close()]);
  });

  it('reads as the orchestrator, over one kept-alive TLS connection per service', async () => {
    await timeline.build(row(EVENT_ID));
    await timeline.build(row(EVENT_ID));
    for (const service of [audit, notifications, analytics]) {
      expect(service.callers).toEqual(['orchestrator', 'orchestrator']);
      expect(service.connections).toBe(1);
    }
  });

  it('refuses a server whose certificate names another service: that part is missing', async () => {
    const impostor = await FakeService.start('notifications');
    impostor.handler = audit.handler;
    const fooled = new TransferTimelineService({
      auditUrl: impostor.url,
      notificationsUrl: notifications.url,
      analyticsUrl: analytics.url,
      timeoutMs: TIMEOUT_MS,
      identity: loadTlsIdentity(certsDir, 'orchestrator'),
      inboxRetentionHours: 168,
    });
    try {
      const result = await fooled.build(row(EVENT_ID));
      expect(result.complete).toBe(false);
      expect(result.entries.map((e) => e.source)).not.toContain('audit');
      expect(impostor.paths).toEqual([]);
    } finally {
      fooled.onModuleDestroy();
      await impostor.close();
    }
  });

  it('merges the saga steps, audit records and both inbox hits by time, with their attempts, and is complete', async () => {
    analytics.handler = (_request, response) => json(response, 200, handled('analytics', '2026-11-25T10:00:00.400Z', 3));
    const result = await timeline.build(row(EVENT_ID));
    expect(result.complete).toBe(true);
    expect(result.entries).toEqual([
      { at: '2026-11-25T10:00:00.000Z', source: 'saga', what: 'RESERVE_FUNDS STARTED' },
      { at: '2026-11-25T10:00:00.100Z', source: 'saga', what: 'RESERVE_FUNDS SUCCEEDED' },
      { at: '2026-11-25T10:00:00.200Z', source: 'saga', what: 'COMMIT_FUNDS SUCCEEDED' },
      { at: '2026-11-25T10:00:00.250Z', source: 'notifications', what: 'transfer.completed handled', eventId: EVENT_ID, attempts: 1 },
      { at: '2026-11-25T10:00:00.300Z', source: 'audit', what: 'transfer.completed recorded', eventId: EVENT_ID, attempts: 1 },
      { at: '2026-11-25T10:00:00.400Z', source: 'analytics', what: 'transfer.completed handled', eventId: EVENT_ID, attempts: 3 },
    ]);
    expect(audit.paths).toEqual([`/audit/events?transferId=${TRANSFER_ID}&limit=100`]);
    expect(notifications.paths).toEqual([`/inbox/${EVENT_ID}`]);
    expect(analytics.paths).toEqual([`/inbox/${EVENT_ID}`]);
  });

  it('leaves out an attempt count it cannot trust (none, pruned, not a positive integer)', async () => {
    audit.handler = (_request, response) => json(response, 200, [{ ...auditRecords[0], attempts: undefined }]);
    notifications.handler = (_request, response) =>
      json(response, 200, { ...handled('notifications', '2026-11-25T10:00:00.250Z'), attempts: 0 });
    analytics.handler = (_request, response) => json(response, 200, { ...handled('analytics', '2026-11-25T10:00:00.400Z'), attempts: '2' });
    const result = await timeline.build(row(EVENT_ID));
    expect(result.entries.filter((e) => e.source !== 'saga').map((e) => e.attempts)).toEqual([undefined, undefined, undefined]);
    expect(attemptsOf({ attempts: 1.5 })).toEqual({});
    expect(attemptsOf({ attempts: 2 })).toEqual({ attempts: 2 });
  });

  it('counts "not handled yet" (404 EVENT_NOT_HANDLED) as an answer: no entry, still complete', async () => {
    analytics.handler = (_request, response) => json(response, 404, notHandled, 'application/problem+json');
    const result = await timeline.build(row(EVENT_ID));
    expect(result.complete).toBe(true);
    expect(result.entries.map((e) => e.source)).not.toContain('analytics');
    expect(result.entries.map((e) => e.source)).toContain('notifications');
  });

  it('says "older than retention" instead of nothing when the transfer finished before the inbox retention', async () => {
    analytics.handler = (_request, response) => json(response, 404, notHandled, 'application/problem+json');
    const old = { ...row(EVENT_ID), completed_at: new Date(Date.now() - 169 * 3_600_000) };
    const result = await timeline.build(old);
    expect(result.complete).toBe(true);
    expect(result.entries.filter((e) => e.source === 'analytics')).toEqual([
      { at: old.completed_at.toISOString(), source: 'analytics', what: 'older than retention', eventId: EVENT_ID },
    ]);
    // Inside the retention, the same answer means "not handled yet": no entry.
    const recent = { ...row(EVENT_ID), completed_at: new Date(Date.now() - 167 * 3_600_000) };
    expect((await timeline.build(recent)).entries.map((e) => e.source)).not.toContain('analytics');
  });

  it("carries where the event sits for a subscriber that failed on it (retry queue, DLQ), audit's asked only when it has no record", async () => {
    const pending = (subscriber: string, state: 'retrying' | 'parked', extra: Record<string, unknown> = {}) => ({
      subscriber,
      eventId: EVENT_ID,
      eventType: 'transfer.completed',
      handled: false,
      state,
      attempts: 2,
      errorCode: 'DEVELOPMENT_FAULT',
      updatedAt: '2026-11-25T10:00:00.500Z',
      ...extra,
    });
    notifications.handler = (_request, response) => json(response, 200, pending('notifications', 'retrying'));
    analytics.handler = (_request, response) => json(response, 200, pending('analytics', 'parked', { reason: 'gave up after 1 retries' }));
    audit.handler = (request, response) =>
      request.url?.startsWith('/inbox/') ? json(response, 200, pending('audit', 'retrying')) : json(response, 200, []);
    const result = await timeline.build(row(EVENT_ID));
    expect(result.complete).toBe(true);
    expect(result.entries.filter((e) => e.source !== 'saga')).toEqual([
      {
        at: '2026-11-25T10:00:00.500Z',
        source: 'audit',
        what: 'transfer.completed in a retry queue',
        eventId: EVENT_ID,
        attempts: 2,
        state: 'retrying',
        errorCode: 'DEVELOPMENT_FAULT',
      },
      {
        at: '2026-11-25T10:00:00.500Z',
        source: 'notifications',
        what: 'transfer.completed in a retry queue',
        eventId: EVENT_ID,
        attempts: 2,
        state: 'retrying',
        errorCode: 'DEVELOPMENT_FAULT',
      },
      {
        at: '2026-11-25T10:00:00.500Z',
        source: 'analytics',
        what: 'transfer.completed parked in the dead-letter queue',
        eventId: EVENT_ID,
        attempts: 2,
        state: 'parked',
        errorCode: 'DEVELOPMENT_FAULT',
        reason: 'gave up after 1 retries',
      },
    ]);
    expect(audit.paths).toEqual([`/audit/events?transferId=${TRANSFER_ID}&limit=100`, `/inbox/${EVENT_ID}`]);
  });

  it("keeps audit's trail when its inbox does not answer: only the failure state is missing", async () => {
    audit.handler = (request, response) => (request.url?.startsWith('/inbox/') ? json(response, 500, {}) : json(response, 200, []));
    const result = await timeline.build(row(EVENT_ID));
    expect(result.complete).toBe(true);
    expect(result.entries.map((e) => e.source)).not.toContain('audit');
  });

  it('takes as a failure state only a well-formed "handled: false" answer', () => {
    const base = { eventId: EVENT_ID, eventType: 'transfer.completed', updatedAt: '2026-11-25T10:00:00.500Z', attempts: 1 };
    expect(pendingEntry('audit', { ...base, handled: false, state: 'retrying', errorCode: 'X' })).toMatchObject({ state: 'retrying' });
    expect(pendingEntry('audit', { ...base, handled: false, state: 'lost' })).toBeUndefined();
    expect(pendingEntry('audit', { ...base, state: 'retrying' })).toBeUndefined();
    expect(pendingEntry('audit', { ...base, handled: false, state: 'parked', updatedAt: 5 })).toBeUndefined();
    expect(pendingEntry('audit', handled('audit', '2026-11-25T10:00:00.250Z'))).toBeUndefined();
    expect(pendingEntry('audit', undefined)).toBeUndefined();
  });

  it('asks only audit while the transfer has published no event', async () => {
    const result = await timeline.build(row(null));
    expect(result.complete).toBe(true);
    expect(result.entries.map((e) => e.source)).toEqual(['saga', 'saga', 'saga', 'audit']);
    expect(notifications.paths).toEqual([]);
    expect(analytics.paths).toEqual([]);
  });

  it('asks the services side by side and answers without a slow one after the timeout, incomplete', async () => {
    // Connections kept alive from an earlier read, as in a running orchestrator: the timeout is
    // about the answers, not about a first TLS handshake on a loaded machine.
    await timeline.build(row(EVENT_ID));
    const wait = (response: ServerResponse, body: unknown) => setTimeout(() => json(response, 200, body), 200);
    audit.handler = (_request, response) => wait(response, auditRecords);
    notifications.handler = (_request, response) => wait(response, handled('notifications', '2026-11-25T10:00:00.250Z'));
    analytics.handler = () => undefined; // never answers
    const started = Date.now();
    const result = await timeline.build(row(EVENT_ID));
    // Side by side: about one timeout in all, not the sum of the waits.
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 250);
    expect(result.complete).toBe(false);
    expect(result.entries.map((e) => e.source)).toEqual(['saga', 'saga', 'saga', 'notifications', 'audit']);
  });

  it.each([
    ['audit answers 500', () => (audit.handler = (_request, response) => json(response, 500, { code: 'INTERNAL' })), 'audit'],
    ['audit is down', () => audit.close(), 'audit'],
    [
      'notifications answers 503',
      () => (notifications.handler = (_request, response) => json(response, 503, { code: 'SERVICE_UNAVAILABLE' })),
      'notifications',
    ],
    // A 404 that is not EVENT_NOT_HANDLED (e.g. a subscriber without the route) says nothing about the event.
    [
      'analytics has no such route',
      () => (analytics.handler = (_request, response) => json(response, 404, { code: 'NOT_FOUND' })),
      'analytics',
    ],
    [
      'analytics answers something that is not JSON',
      () => (analytics.handler = (_request, response) => void response.writeHead(200).end('<html>')),
      'analytics',
    ],
  ])('is incomplete when %s, and keeps what the others said', async (_case, breakIt, missing) => {
    await breakIt();
    const result = await timeline.build(row(EVENT_ID));
    expect(result.complete).toBe(false);
    const sources = new Set(result.entries.map((e) => e.source));
    expect(sources.has(missing)).toBe(false);
    for (const source of ['saga', 'audit', 'notifications', 'analytics'].filter((s) => s !== missing))
      expect(sources.has(source)).toBe(true);
  });
});
