import { randomUUID } from 'node:crypto';
import { ALL_EVENT_TYPES } from '@bank/contracts';
import { asyncApiText, asyncApiViolation, openApi } from '../support/api-contract.js';
import { BankClient } from '../support/bank-client.js';
import { eventually } from '@bank/testing';
import { startTestSystem, type TestSystem } from '../support/test-system.js';

/**
 * The descriptions against the running system: it serves the committed documents, every documented
 * operation exists, and every event a subscriber (audit records them all) received during a day of
 * business matches its AsyncAPI message. BankClient holds every answer it gets to the OpenAPI document.
 */
describe('the served descriptions (real apps, Postgres, RabbitMQ)', () => {
  let system: TestSystem;
  let bank: BankClient;

  beforeAll(async () => {
    system = await startTestSystem();
    bank = new BankClient(system);
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  it('serves docs/openapi.json at GET /docs-json and docs/asyncapi.yaml at GET /docs/asyncapi.yaml', async () => {
    const served = await system.api().get('/docs-json').expect(200);
    expect(served.body).toEqual(openApi);
    const yaml = await system.api().get('/docs/asyncapi.yaml').buffer(true).expect(200);
    expect(yaml.headers['content-type']).toMatch(/^application\/yaml/);
    expect(yaml.text).toBe(asyncApiText);
  });

  it("routes every documented operation (none answers the router's 404)", async () => {
    for (const [template, item] of Object.entries(openApi.paths)) {
      for (const method of Object.keys(item)) {
        const url = template.replace(/\{[^}]+\}/g, randomUUID());
        const res = await (system.api() as unknown as Record<string, (u: string) => Promise<{ status: number; body: { code?: string } }>>)[
          method
        ](url);
        expect([method, template, res.status === 404 && res.body.code === 'NOT_FOUND']).toEqual([method, template, false]);
        expect([method, template, Object.keys(openApi.paths[template][method].responses)]).toEqual([
          method,
          template,
          expect.arrayContaining([String(res.status)]),
        ]);
      }
    }
  });

  it('publishes only events that match their AsyncAPI message, as audit received them', async () => {
    const alice = await bank.login();
    const bob = await bank.login();
    const from = await bank.openAccount(alice.token);
    const to = await bank.openAccount(bob.token);
    await bank.deposit(alice.token, from.id, 5_000);
    await bank
      .transfer(alice.token, { fromAccountId: from.id, toAccountId: to.id, amount: 1_000, currency: 'EUR', reference: 'docs' })
      .expect(201);
    await bank.transfer(alice.token, { fromAccountId: from.id, toAccountId: to.id, amount: 1_000_000, currency: 'EUR' }).expect(422);
    const { challengeId } = await bank.requestCode(BankClient.phone());
    for (let i = 0; i < 5; i++) await system.api().post('/auth/otp/verify').send({ challengeId, code: '000000' });

    type Recorded = { eventId: string; type: string; correlationId: string; occurredAt: string; data: unknown };
    const recorded = await eventually(
      async () => (await system.http('audit').get('/audit/events').query({ limit: 1000 }).expect(200)).body as Recorded[],
      (events) => new Set(events.map((e) => e.type)).size === ALL_EVENT_TYPES.length,
      { timeoutMs: 30_000 },
    );
    const violations = recorded
      .map((e) =>
        asyncApiViolation({
          id: e.eventId,
          type: e.type,
          version: 1,
          occurredAt: e.occurredAt,
          correlationId: e.correlationId,
          data: e.data,
        }),
      )
      .filter(Boolean);
    expect(violations).toEqual([]);
  }, 120_000);
});
