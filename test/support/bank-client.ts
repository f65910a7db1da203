import { randomUUID } from 'node:crypto';
import { eventually, type TestSystem } from './test-system.js';

/** Public-API steps that most tests need, done the way a client does them. */
export class BankClient {
  constructor(private readonly system: TestSystem) {}

  /** A fresh E.164 number, unique per call. */
  static phone(): string {
    return `+4915${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;
  }

  /** Asks for a code and reads it from the dev outbox, like a person reading the SMS. */
  async requestCode(phone: string): Promise<{ challengeId: string; code: string; expiresAt: string }> {
    const started = await this.system.api().post('/auth/otp').send({ phone }).expect(202);
    const { challengeId, expiresAt } = started.body as { challengeId: string; expiresAt: string };
    const outbox = await this.system.http('notifications').get('/outbox').query({ recipient: phone }).expect(200);
    const body = (outbox.body as { body: string }[])[0]?.body ?? '';
    const code = /\b(\d{6})\b/.exec(body)?.[1];
    if (!code) throw new Error(`no code in the newest message to ${phone}: ${body}`);
    return { challengeId, code, expiresAt };
  }

  async login(phone = BankClient.phone()): Promise<{ token: string; customerId: string; phone: string }> {
    const { challengeId, code } = await this.requestCode(phone);
    const verified = await this.system.api().post('/auth/otp/verify').send({ challengeId, code }).expect(200);
    return { token: verified.body.accessToken as string, customerId: verified.body.customerId as string, phone };
  }

  async openAccount(token: string, currency = 'EUR'): Promise<{ id: string; customerId: string; currency: string }> {
    const res = await this.system.api().post('/accounts').set('authorization', `Bearer ${token}`).send({ currency }).expect(201);
    return res.body as { id: string; customerId: string; currency: string };
  }

  /** Deposits and waits until the balance shows it (a 202 finishes on its own). */
  async deposit(token: string, accountId: string, amount: number): Promise<void> {
    const before = await this.account(token, accountId);
    const res = await this.system
      .api()
      .post(`/accounts/${accountId}/deposits`)
      .set('authorization', `Bearer ${token}`)
      .set('idempotency-key', randomUUID())
      .send({ amount });
    if (res.status !== 201 && res.status !== 202) throw new Error(`deposit answered ${res.status}: ${JSON.stringify(res.body)}`);
    await eventually(
      () => this.account(token, accountId),
      (a) => a.balance >= before.balance + amount,
    );
  }

  async account(token: string, accountId: string): Promise<{ balance: number; availableBalance: number; currency: string }> {
    const res = await this.system.api().get(`/accounts/${accountId}`).set('authorization', `Bearer ${token}`).expect(200);
    return res.body as { balance: number; availableBalance: number; currency: string };
  }

  transfer(token: string, body: Record<string, unknown>, key: string = randomUUID()) {
    return this.system.api().post('/transfers').set('authorization', `Bearer ${token}`).set('idempotency-key', key).send(body);
  }

  getTransfer(token: string, id: string) {
    return this.system.api().get(`/transfers/${id}`).set('authorization', `Bearer ${token}`);
  }
}
