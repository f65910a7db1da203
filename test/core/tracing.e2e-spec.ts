import { randomUUID } from 'node:crypto';
import { BankClient } from '../support/bank-client.js';
import { OtlpReceiver, SpanKinds, type ReceivedSpan } from '../support/otlp-receiver.js';
import { eventually } from '@bank/testing';
import { itLocal, startTestSystem, type TestSystem } from '../support/test-system.js';

/**
 * One request, one trace, across both patterns: every app exports its spans (OTLP/HTTP JSON) to a
 * receiver in this process, and the tests follow one trace id from the public edge through the TCP
 * commands, Postgres, the outbox, the relay and RabbitMQ into every subscriber.
 */
describe('tracing (real apps, OTLP receiver in the test)', () => {
  let receiver: OtlpReceiver;
  let system: TestSystem;
  let bank: BankClient;

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    system = await startTestSystem({
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_TRACES_SAMPLER: 'parentbased_always_on',
        // Spans leave within a fifth of a second instead of the default five.
        OTEL_BSP_SCHEDULE_DELAY: '200',
        TRACE_UI_URL: 'http://127.0.0.1:16686/trace/{traceId}',
        // A step that does not answer within a second is retried by the recovery worker, soon.
        RPC_TIMEOUT_MS: '1000',
        RPC_RETRIES: '0',
        SAGA_RECOVERY_INTERVAL_MS: '200',
        SAGA_MAX_BACKOFF_MS: '300',
        SAGA_SYNC_WAIT_MS: '3000',
      },
    });
    bank = new BankClient(system);
  }, 240_000);

  afterAll(async () => {
    await system?.stop();
    await receiver?.stop();
  }, 60_000);

  /** The trace once it holds spans matching every one of `expected` (name and service). */
  const traceWith = (traceId: string, expected: { service: string; name: string }[]) =>
    eventually(
      () => Promise.resolve(receiver.trace(traceId)),
      (spans) => expected.every((e) => spans.some((s) => s.service === e.service && s.name === e.name)),
      { timeoutMs: 20_000, intervalMs: 100 },
    );

  const one = (spans: ReceivedSpan[], service: string, name: string, kind?: number): ReceivedSpan => {
    const found = spans.filter((s) => s.service === service && s.name === name && (kind === undefined || s.kind === kind));
    if (found.length === 0)
      throw new Error(`no span ${name} of ${service} in ${JSON.stringify(spans.map((s) => `${s.service}:${s.name}`))}`);
    return found[0];
  };
  const byId = (spans: ReceivedSpan[], spanId: string | undefined) => spans.find((s) => s.spanId === spanId);

  itLocal('a transfer is one trace: the edge, both sides of each command, the outbox, the relay and the three subscribers', async () => {
    const alice = await bank.customerWithMoney(1_000);
    const bob = await bank.customerWithMoney(0);
    // The client's own trace context is honoured at the edge: the transfer's trace is the client's.
    const traceId = randomUUID().replaceAll('-', '');
    const clientSpan = 'aaaaaaaaaaaaaaaa';
    const created = await bank
      .transfer(alice.token, { fromAccountId: alice.account, toAccountId: bob.account, amount: 125, currency: 'EUR' })
      .set('traceparent', `00-${traceId}-${clientSpan}-01`)
      .expect(201);

    const spans = await traceWith(traceId, [
      { service: 'orchestrator', name: 'POST /transfers' },
      { service: 'accounts', name: 'accounts.reserve-funds' },
      { service: 'ledger', name: 'ledger.post-transfer' },
      { service: 'accounts', name: 'accounts.commit-funds' },
      { service: 'orchestrator', name: 'transfer.completed publish' },
      { service: 'audit', name: 'transfer.completed process' },
      { service: 'notifications', name: 'transfer.completed process' },
      { service: 'analytics', name: 'transfer.completed process' },
    ]);
    expect(receiver.rejected).toEqual([]);
    // All six apps the transfer touches (auth too, should the edge have refreshed its token keys meanwhile).
    expect([...new Set(spans.map((s) => s.service))]).toEqual(
      expect.arrayContaining(['orchestrator', 'accounts', 'ledger', 'audit', 'notifications', 'analytics']),
    );

    // The edge: a SERVER span, child of the client's span.
    const edge = one(spans, 'orchestrator', 'POST /transfers', SpanKinds.server);
    expect(edge.parentSpanId).toBe(clientSpan);
    expect(edge.attributes).toMatchObject({ 'http.route': '/transfers', 'http.response.status_code': 201 });

    // Every command: a CLIENT span in the orchestrator under the edge, the SERVER span in the service under it.
    for (const [service, pattern] of [
      ['accounts', 'accounts.reserve-funds'],
      ['ledger', 'ledger.post-transfer'],
      ['accounts', 'accounts.commit-funds'],
    ] as const) {
      const client = one(spans, 'orchestrator', pattern, SpanKinds.client);
      const server = one(spans, service, pattern, SpanKinds.server);
      expect(client.parentSpanId).toBe(edge.spanId);
      expect(server.parentSpanId).toBe(client.spanId);
      // The service's statements hang under its server span (directly or through a transaction).
      const statements = spans.filter(
        (s) => s.service === service && s.attributes['db.system.name'] === 'postgresql' && s.kind === SpanKinds.client,
      );
      expect(statements.some((s) => s.parentSpanId === server.spanId || byId(spans, s.parentSpanId)?.parentSpanId === server.spanId)).toBe(
        true,
      );
    }

    // The outbox write (PRODUCER, in the saga's trace), the relay's publish under it, each subscriber's
    // CONSUMER span under the publish and linked to it.
    const create = one(spans, 'orchestrator', 'transfer.completed create', SpanKinds.producer);
    const publish = one(spans, 'orchestrator', 'transfer.completed publish', SpanKinds.producer);
    expect(publish.parentSpanId).toBe(create.spanId);
    const view = await eventually(
      () => bank.getTransfer(alice.token, created.body.id as string),
      (r) => r.body.timeline.entries.length >= 5,
    );
    for (const subscriber of ['audit', 'notifications', 'analytics']) {
      const process = one(spans, subscriber, 'transfer.completed process', SpanKinds.consumer);
      expect(process.parentSpanId).toBe(publish.spanId);
      expect(process.links).toEqual([{ traceId, spanId: publish.spanId }]);
      expect(process.attributes).toMatchObject({ 'messaging.consumer.group.name': subscriber, 'messaging.message.id': expect.any(String) });
      // Its work (inbox claim, the handler's statements) is in the same trace, under it.
      const transaction = spans.find((s) => s.service === subscriber && s.name === 'transaction' && s.parentSpanId === process.spanId);
      expect(transaction).toBeDefined();
    }

    // The timeline names the trace and links to it.
    expect(view.body.timeline).toMatchObject({ traceId, traceUrl: `http://127.0.0.1:16686/trace/${traceId}` });
  });

  itLocal('an OTP login is one trace from the edge through auth and notifications', async () => {
    const phone = BankClient.phone();
    const traceId = randomUUID().replaceAll('-', '');
    await system.api().post('/auth/otp').set('traceparent', `00-${traceId}-bbbbbbbbbbbbbbbb-01`).send({ phone }).expect(202);
    const spans = await traceWith(traceId, [
      { service: 'orchestrator', name: 'POST /auth/otp' },
      { service: 'auth', name: 'auth.start-otp-challenge' },
      { service: 'notifications', name: 'notifications.send-otp' },
    ]);
    const start = one(spans, 'auth', 'auth.start-otp-challenge', SpanKinds.server);
    const send = one(spans, 'notifications', 'notifications.send-otp', SpanKinds.server);
    expect(byId(spans, start.parentSpanId)).toMatchObject({ service: 'orchestrator', kind: SpanKinds.client });
    expect(byId(spans, send.parentSpanId)).toMatchObject({ service: 'orchestrator', kind: SpanKinds.client });
    // No code in any span: the sealed code never becomes an attribute.
    const outbox = await system.http('notifications').get('/outbox').query({ recipient: phone }).expect(200);
    const code = /\b(\d{6})\b/.exec((outbox.body as { body: string }[])[0].body)![1];
    expect(JSON.stringify(spans)).not.toContain(code);
  });

  itLocal('a step retried later by the recovery worker stays in the transfer trace', async () => {
    const alice = await bank.customerWithMoney(1_000);
    const bob = await bank.customerWithMoney(0);
    const ledgerPid = system.sys.pid('ledger')!;
    process.kill(ledgerPid, 'SIGSTOP'); // POST_LEDGER times out: a retry is scheduled, picked up by the worker
    let accepted;
    try {
      accepted = await bank.transfer(alice.token, { fromAccountId: alice.account, toAccountId: bob.account, amount: 50, currency: 'EUR' });
      expect(accepted.status).toBe(202);
    } finally {
      process.kill(ledgerPid, 'SIGCONT');
    }
    const done = await eventually(
      () => bank.getTransfer(alice.token, accepted.body.id as string),
      (r) => r.body.status !== 'PENDING',
    );
    expect(done.body.status).toBe('COMPLETED');
    const traceId = done.body.timeline.traceId as string;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const spans = await traceWith(traceId, [
      { service: 'orchestrator', name: 'POST /transfers' },
      { service: 'orchestrator', name: 'transfer saga resume' },
      { service: 'ledger', name: 'ledger.post-transfer' },
      { service: 'accounts', name: 'accounts.commit-funds' },
      { service: 'analytics', name: 'transfer.completed process' },
    ]);
    const edge = one(spans, 'orchestrator', 'POST /transfers', SpanKinds.server);
    const resume = one(spans, 'orchestrator', 'transfer saga resume');
    expect(resume.parentSpanId).toBe(edge.spanId);
    // The timed-out call and the retried one: two client spans of the same command, one failed.
    const calls = spans.filter((s) => s.service === 'orchestrator' && s.name === 'ledger.post-transfer');
    expect(calls.map((c) => byId(spans, c.parentSpanId)?.name).sort()).toEqual(['POST /transfers', 'transfer saga resume']);
    expect(calls.map((c) => c.status).sort()).toEqual([0, 2]);
    expect(one(spans, 'orchestrator', 'accounts.commit-funds', SpanKinds.client).parentSpanId).toBe(resume.spanId);
  });

  itLocal('an event redelivered after its subscriber died is handled in the producer trace', async () => {
    const alice = await bank.customerWithMoney(1_000);
    const bob = await bank.customerWithMoney(0);
    const analyticsPid = system.sys.pid('analytics')!;
    process.kill(analyticsPid, 'SIGSTOP'); // the event reaches analytics' socket but is never acked
    let traceId: string;
    try {
      const created = await bank
        .transfer(alice.token, { fromAccountId: alice.account, toAccountId: bob.account, amount: 75, currency: 'EUR' })
        .expect(201);
      const view = await bank.getTransfer(alice.token, created.body.id as string).expect(200);
      traceId = view.body.timeline.traceId as string;
      // The other subscribers had it: the broker has pushed it to analytics too.
      await traceWith(traceId, [
        { service: 'audit', name: 'transfer.completed process' },
        { service: 'notifications', name: 'transfer.completed process' },
      ]);
    } finally {
      await system.sys.kill('analytics');
    }
    await system.sys.start('analytics');
    const spans = await traceWith(traceId, [{ service: 'analytics', name: 'transfer.completed process' }]);
    const publish = one(spans, 'orchestrator', 'transfer.completed publish', SpanKinds.producer);
    const handled = one(spans, 'analytics', 'transfer.completed process', SpanKinds.consumer);
    expect(handled.parentSpanId).toBe(publish.spanId);
    expect(handled.attributes['bank.redelivered']).toBe(true);
  });
});
