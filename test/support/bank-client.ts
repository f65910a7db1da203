import { randomUUID } from 'node:crypto';
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { Test } from 'supertest';
import { assertDocumentedAnswer } from './api-contract.js';
import type { components, paths } from './bank-api.generated.js';
import { eventually } from '@bank/testing';
import { type TestSystem } from './test-system.js';

export type Account = components['schemas']['AccountResponse'];

/**
 * Every answer the typed client gets must be one the OpenAPI document lists for its operation, with
 * the documented body and no undocumented field: the e2e suite proves the document by using it.
 */
const documentedAnswers: Middleware = {
  async onResponse({ request, response, schemaPath }) {
    const text = await response.clone().text();
    let body: unknown = text;
    try {
      body = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: the content type check below names the difference.
    }
    assertDocumentedAnswer(request.method, schemaPath, { status: response.status, headers: Object.fromEntries(response.headers), body });
    return undefined;
  },
};

/** The same check on a supertest request, for the steps that hand the raw answer to the test. */
const documented = (test: Test, method: string, template: string): Test =>
  test.expect((res) => assertDocumentedAnswer(method, template, { status: res.status, headers: res.headers, body: res.body }));

/**
 * Public-API steps that most tests need, done the way a client does them: through a client typed
 * from the OpenAPI document (openapi-fetch over test/support/bank-api.generated.ts).
 */
export class BankClient {
  private client?: Client<paths>;

  constructor(private readonly system: TestSystem) {}

  /** The typed client of the public edge; every answer is checked against the document. */
  api(): Client<paths> {
    if (!this.client) {
      this.client = createClient<paths>({ baseUrl: this.system.sys.url('orchestrator') });
      this.client.use(documentedAnswers);
    }
    return this.client;
  }

  /** A fresh E.164 number, unique per call. */
  static phone(): string {
    return `+4915${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;
  }

  /** Asks for a code and reads it from the dev outbox, like a person reading the SMS. */
  async requestCode(phone: string): Promise<{ challengeId: string; code: string; expiresAt: string }> {
    const { data, response } = await this.api().POST('/auth/otp', { body: { phone } });
    if (response.status !== 202 || !data) throw new Error(`POST /auth/otp answered ${response.status}`);
    const { challengeId, expiresAt } = data;
    const outbox = await this.system.http('notifications').get('/outbox').query({ recipient: phone }).expect(200);
    const body = (outbox.body as { body: string }[])[0]?.body ?? '';
    const code = /\b(\d{6})\b/.exec(body)?.[1];
    if (!code) throw new Error(`no code in the newest message to ${phone}: ${body}`);
    return { challengeId, code, expiresAt };
  }

  async login(phone = BankClient.phone()): Promise<{ token: string; customerId: string; phone: string }> {
    const { challengeId, code } = await this.requestCode(phone);
    const { data, response } = await this.api().POST('/auth/otp/verify', { body: { challengeId, code } });
    if (response.status !== 200 || !data) throw new Error(`POST /auth/otp/verify answered ${response.status}`);
    return { token: data.accessToken, customerId: data.customerId, phone };
  }

  async openAccount(token: string, currency = 'EUR'): Promise<Account> {
    const { data, response } = await this.api().POST('/accounts', { body: { currency }, headers: bearer(token) });
    if (response.status !== 201 || !data) throw new Error(`POST /accounts answered ${response.status}`);
    return data;
  }

  /** Deposits and waits until the balance shows it (a 202 finishes on its own). */
  async deposit(token: string, accountId: string, amount: number): Promise<void> {
    const before = await this.account(token, accountId);
    const { error, response } = await this.api().POST('/accounts/{id}/deposits', {
      params: { path: { id: accountId }, header: { 'Idempotency-Key': randomUUID() } },
      body: { amount },
      headers: bearer(token),
    });
    if (response.status !== 201 && response.status !== 202)
      throw new Error(`deposit answered ${response.status}: ${JSON.stringify(error)}`);
    await eventually(
      () => this.account(token, accountId),
      (a) => a.balance >= before.balance + amount,
    );
  }

  /** A new customer, logged in, with one account holding `amount` minor units (none deposited for 0). */
  async customerWithMoney(amount: number): Promise<{ token: string; customerId: string; phone: string; account: string }> {
    const who = await this.login();
    const account = (await this.openAccount(who.token)).id;
    if (amount > 0) await this.deposit(who.token, account, amount);
    return { ...who, account };
  }

  async account(token: string, accountId: string): Promise<Account> {
    const { data, response } = await this.api().GET('/accounts/{id}', { params: { path: { id: accountId } }, headers: bearer(token) });
    if (response.status !== 200 || !data) throw new Error(`GET /accounts/${accountId} answered ${response.status}`);
    return data;
  }

  /** The raw answer (supertest), for tests that assert on statuses; still held to the document. */
  transfer(token: string, body: Record<string, unknown>, key: string = randomUUID()) {
    const request = this.system.api().post('/transfers').set('authorization', `Bearer ${token}`).set('idempotency-key', key).send(body);
    return documented(request, 'post', '/transfers');
  }

  getTransfer(token: string, id: string) {
    return documented(this.system.api().get(`/transfers/${id}`).set('authorization', `Bearer ${token}`), 'get', '/transfers/{id}');
  }
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
