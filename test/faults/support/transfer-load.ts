import { randomUUID } from 'node:crypto';
import { BankClient } from '../../support/bank-client.js';
import { eventually } from '@bank/testing';
import { type TestSystem } from '../../support/test-system.js';

export interface Participant {
  token: string;
  customerId: string;
  phone: string;
  account: string;
}

/** `count` customers with one EUR account each holding `deposit`. */
export async function fundedParticipants(bank: BankClient, count: number, deposit: number): Promise<Participant[]> {
  const people: Participant[] = [];
  // A few at a time: the machine is small and other suites may be running.
  for (let i = 0; i < count; i += 4) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(4, count - i) }, async () => {
        const who = await bank.login();
        const account = (await bank.openAccount(who.token)).id;
        await bank.deposit(who.token, account, deposit);
        return { ...who, account };
      }),
    );
    people.push(...batch);
  }
  return people;
}

/** The definitive answer a client got for one Idempotency-Key (201, 202 or 422). */
export interface Outcome {
  key: string;
  payer: Participant;
  fromAccountId: string;
  toAccountId: string;
  amount: number;
  status: number;
  id?: string;
  code?: string;
  attempts: number;
}

const FINAL = new Set([201, 202, 422]);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Transfers running in the background while a fault happens, like clients of a real bank would
 * send them: each with a fresh Idempotency-Key, and on a transient answer (connection refused or
 * reset, timeout, 5xx, 409 IDEMPOTENCY_IN_PROGRESS) sent again with the same key and body until a
 * definitive one (201, 202, 422) comes back. Every key and its final answer is kept, so a check
 * can compare what clients were told with what the bank did.
 */
export class TransferLoad {
  readonly outcomes: Outcome[] = [];
  /** Keys that never got a definitive answer within `retryForMs` (the bank may still have acted on them). */
  readonly unresolved: Omit<Outcome, 'status' | 'attempts'>[] = [];
  /** Transient answers seen, e.g. `{"0 ECONNREFUSED": 12, "503 SERVICE_UNAVAILABLE": 3}`. */
  readonly transient: Record<string, number> = {};
  /** Answers no correct bank gives to a well-formed transfer (400, 401, 404, 422 IDEMPOTENCY_KEY_REUSED, ...). */
  readonly unexpected: { status: number; body: unknown }[] = [];
  private stopping = false;
  private workers: Promise<void>[] = [];

  constructor(
    private readonly system: TestSystem,
    private readonly people: Participant[],
    private readonly options: { workers?: number; maxAmount?: number; retryForMs?: number } = {},
  ) {}

  start(): this {
    this.stopping = false;
    this.workers = Array.from({ length: this.options.workers ?? 4 }, () => this.worker());
    return this;
  }

  /** Stops sending new transfers and waits until every started one has its definitive answer. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.workers);
  }

  /** Counts for a report: answers by status, transient failures seen, most attempts one key needed. */
  summary() {
    const byStatus: Record<string, number> = {};
    for (const o of this.outcomes) byStatus[o.status] = (byStatus[o.status] ?? 0) + 1;
    return {
      answered: this.outcomes.length,
      byStatus,
      transient: this.transient,
      maxAttempts: Math.max(0, ...this.outcomes.map((o) => o.attempts)),
      unresolved: this.unresolved.length,
    };
  }

  /** With FAULTS_VERBOSE=1, prints the summary (to see how hard a fault hit). */
  report(label: string): void {
    if (process.env.FAULTS_VERBOSE) process.stdout.write(`[faults] ${label}: ${JSON.stringify(this.summary())}\n`);
  }

  get answered(): number {
    return this.outcomes.length;
  }

  /** Waits until `more` further transfers got a definitive answer. */
  async waitForAnswers(more: number, timeoutMs = 60_000): Promise<void> {
    const target = this.outcomes.length + more;
    await eventually(
      () => Promise.resolve(this.outcomes.length),
      (n) => n >= target,
      { timeoutMs, intervalMs: 50 },
    );
  }

  /** Waits until `more` further transient failures were seen (the fault is felt by clients). */
  async waitForTransient(more: number, timeoutMs = 30_000): Promise<void> {
    const total = () => Object.values(this.transient).reduce((a, b) => a + b, 0);
    const target = total() + more;
    await eventually(
      () => Promise.resolve(total()),
      (n) => n >= target,
      { timeoutMs, intervalMs: 50 },
    );
  }

  private async worker(): Promise<void> {
    while (!this.stopping) await this.one();
  }

  private async one(): Promise<void> {
    const n = this.people.length;
    const fromIndex = Math.floor(Math.random() * n);
    const toIndex = (fromIndex + 1 + Math.floor(Math.random() * (n - 1))) % n;
    const payer = this.people[fromIndex];
    const body = {
      fromAccountId: payer.account,
      toAccountId: this.people[toIndex].account,
      amount: 1 + Math.floor(Math.random() * (this.options.maxAmount ?? 300)),
      currency: 'EUR',
    };
    const key = randomUUID();
    const began = Date.now();
    for (let attempts = 1; ; attempts++) {
      let status = 0;
      let resBody: { id?: string; code?: string; transferId?: string } = {};
      let error = '';
      try {
        const res = await this.system
          .api()
          .post('/transfers')
          .set('authorization', `Bearer ${payer.token}`)
          .set('idempotency-key', key)
          .send(body)
          .timeout({ response: 15_000, deadline: 20_000 });
        status = res.status;
        resBody = (res.body ?? {}) as typeof resBody;
      } catch (e) {
        const err = e as { code?: string; timeout?: number; message?: string };
        error = err.code ?? (err.timeout ? 'TIMEOUT' : (err.message ?? 'error'));
      }
      if (FINAL.has(status) && resBody.code !== 'IDEMPOTENCY_KEY_REUSED') {
        this.outcomes.push({ key, payer, ...body, status, id: resBody.id ?? resBody.transferId, code: resBody.code, attempts });
        return;
      }
      const transient = status === 0 || status >= 500 || (status === 409 && resBody.code === 'IDEMPOTENCY_IN_PROGRESS');
      if (!transient) {
        this.unexpected.push({ status, body: resBody });
        return;
      }
      const label = status === 0 ? `0 ${error}` : `${status} ${resBody.code ?? ''}`.trim();
      this.transient[label] = (this.transient[label] ?? 0) + 1;
      if (Date.now() - began > (this.options.retryForMs ?? 90_000)) {
        this.unresolved.push({ key, payer, ...body });
        return;
      }
      // A client's retry backoff, not a wait for a condition.
      await pause(100 + Math.floor(Math.random() * 100));
    }
  }
}
