import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Counter } from 'prom-client';
import { metricsRegistry } from '@bank/common';
import { Sql } from '../sql.js';
import type { RetentionRule } from './retention.rules.js';

export interface PrunerOptions {
  rules: RetentionRule[];
  intervalMs: number;
  batchSize: number;
}
export const PRUNER_OPTIONS = Symbol('PRUNER_OPTIONS');

export const retentionPruned = new Counter({
  name: 'retention_pruned_total',
  help: 'Rows removed (or, for idempotency keys, cleared) because they outlived their retention',
  labelNames: ['table'] as const,
  registers: [metricsRegistry],
});

/**
 * The one pruner of an app: on a timer (and once at boot) it runs each rule in batches until a
 * batch comes back short. A failing rule is logged and tried again next time; the others still run.
 * Replicas may prune at the same time: a row is removed once, the other batch finds it gone.
 */
@Injectable()
export class Pruner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(Pruner.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = false;

  constructor(
    @Inject(PRUNER_OPTIONS) private readonly options: PrunerOptions,
    private readonly db: Sql,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.rules.length === 0) return;
    this.timer = setInterval(() => this.kick(), this.options.intervalMs);
    this.kick();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** Runs every rule to the end. Returns rows pruned per table. Public for tests. */
  async pruneAll(): Promise<Record<string, number>> {
    const pruned: Record<string, number> = {};
    for (const rule of this.options.rules) {
      if (this.stopped) break;
      try {
        pruned[rule.table] = await this.prune(rule);
      } catch (error) {
        this.logger.warn({ msg: 'pruning failed', table: rule.table, err: (error as Error).message });
      }
    }
    return pruned;
  }

  private kick(): void {
    if (this.running || this.stopped) return;
    this.running = this.pruneAll()
      .then((pruned) => {
        const total = Object.values(pruned).reduce((sum, n) => sum + n, 0);
        if (total > 0) this.logger.log({ msg: 'pruned rows past their retention', pruned });
      })
      .finally(() => (this.running = undefined));
  }

  private async prune(rule: RetentionRule): Promise<number> {
    let total = 0;
    for (;;) {
      const rows = await this.db.rows(rule.sql, [rule.hours * 3600, this.options.batchSize], { prepare: false });
      total += rows.length;
      retentionPruned.inc({ table: rule.table }, rows.length);
      if (rows.length < this.options.batchSize || this.stopped) return total;
    }
  }
}
