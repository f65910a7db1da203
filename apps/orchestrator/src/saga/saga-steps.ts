import type { Logger } from '@nestjs/common';
import type { EventBus } from '@nestjs/cqrs';
import { backoffDelay, RequestContext } from '@bank/common';
import { DomainError, isTransient } from '@bank/contracts';
import { SagaStepRanEvent } from './saga.events.js';
import { stepRetryPolicy, type SagaSettings } from './saga.settings.js';

/** A saga's row, as the shared loop reads it. */
export interface SagaRow {
  id: string;
  status: string;
  step: string;
  attempts: number;
  correlation_id: string;
}

/** What a saga does with a step's outcome. Each handler persists the next state before returning it. */
export interface StepPlan<T, Row> {
  call: () => Promise<T>;
  onSuccess: (reply: T) => Promise<Row | null>;
  /** The service said no (a business error): never retried by the loop. */
  onRefusal: (code: string, refusal: DomainError) => Promise<Row | null>;
  /**
   * Forward steps only: transient failures for longer than the step budget, counted from
   * `stepStartedAt`, are compensated. Absent = retry forever.
   */
  giveUp?: { stepStartedAt: Date; compensate: (code: string) => Promise<Row | null> };
}

/** Which saga, and how it writes a retry. */
export interface SagaKind<Row extends SagaRow> {
  name: SagaStepRanEvent['saga'];
  /** The id's key in log lines: `transferId`, `depositId`. */
  idKey: string;
  logger: Logger;
  events: EventBus;
  settings: SagaSettings;
  /** Keep the step, count the attempt, hand the row to whoever retries it when due. */
  scheduleRetry: (row: Row, delayMs: number, error: string) => Promise<Row | null>;
}

/**
 * What every saga shares: the loop that drives a row step by step, and `attempt`, which calls one step
 * and sends its outcome where the step's plan says, with the same log lines (`errorCode`) and the
 * same metric (`saga_step_duration_seconds`, through the bus) for every saga. Each saga keeps its
 * steps (a `StepPlan` each) and its writes.
 */
export class SagaSteps<Row extends SagaRow> {
  /** Sagas this process is driving now: the recovery worker leaves them alone. */
  private readonly active = new Set<string>();

  constructor(private readonly saga: SagaKind<Row>) {}

  driving(): string[] {
    return [...this.active];
  }

  /**
   * Runs the saga from the step its row names until it finishes, waits for a retry, or loses its
   * lease; `within` runs the whole drive in a context of the saga's own (a trace span).
   */
  async drive(
    start: Row,
    runStep: (row: Row) => Promise<Row | null>,
    within: (run: () => Promise<Row>) => Promise<Row> = (run) => run(),
  ): Promise<Row> {
    this.active.add(start.id);
    try {
      return await within(() => RequestContext.run({ correlationId: start.correlation_id }, () => this.loop(start, runStep)));
    } finally {
      this.active.delete(start.id);
    }
  }

  private async loop(start: Row, runStep: (row: Row) => Promise<Row | null>): Promise<Row> {
    let row = start;
    while (row.status === 'PENDING') {
      const next = await runStep(row);
      if (!next) break; // lease lost: another replica drives it now
      const waiting = next.status === 'PENDING' && next.step === row.step && next.attempts > row.attempts;
      row = next;
      if (waiting) break; // a retry is scheduled; the recovery worker picks it up when due
    }
    return row;
  }

  /** Calls a step; a business refusal and a transient failure go different ways. */
  async attempt<T>(row: Row, plan: StepPlan<T, Row>): Promise<Row | null> {
    const started = Date.now();
    const { step } = row;
    let reply: T;
    try {
      reply = await plan.call();
    } catch (error) {
      const id = { [this.saga.idKey]: row.id };
      const code = error instanceof DomainError ? error.code : 'INTERNAL';
      if (!isTransient(error)) {
        this.saga.logger.warn({ msg: 'step refused', ...id, step, errorCode: code });
        this.ran(step, 'refused', started);
        return plan.onRefusal(code, error as DomainError);
      }
      if (plan.giveUp) {
        const spentMs = Date.now() - plan.giveUp.stepStartedAt.getTime();
        if (spentMs > this.saga.settings.stepBudgetMs) {
          this.saga.logger.warn({ msg: 'step gave up, compensating', ...id, step, errorCode: code, spentMs });
          this.ran(step, 'gave_up', started);
          return plan.giveUp.compensate(code);
        }
      }
      const delay = backoffDelay(row.attempts, stepRetryPolicy(this.saga.settings.maxBackoffMs));
      this.saga.logger.warn({
        msg: 'step failed, retry scheduled',
        ...id,
        step,
        errorCode: code,
        attempt: row.attempts + 1,
        delayMs: delay,
      });
      this.ran(step, 'retrying', started);
      return this.saga.scheduleRetry(row, delay, error instanceof Error ? error.message : String(error));
    }
    this.ran(step, 'succeeded', started);
    return plan.onSuccess(reply);
  }

  private ran(step: string, outcome: SagaStepRanEvent['outcome'], started: number): void {
    this.saga.events.publish(new SagaStepRanEvent(this.saga.name, step, outcome, Date.now() - started));
  }
}
