import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { exhaustMap, from, type Observable, ReplaySubject, share, timer } from 'rxjs';
import { metricsRegistry } from '@bank/common';
import { Sql } from '@bank/database';
import { InternalHttp, parseMetrics, type Sample, sumOf } from './internal-http.js';
import { DevFaultBook, type UiSettings } from './ui.settings.js';
import { INTERNAL_HTTP, UI_SETTINGS } from './ui.tokens.js';
import {
  INTERNAL_APPS,
  type InternalApp,
  type ServiceStatus,
  SUBSCRIBER_APPS,
  type SubscriberStatus,
  type SystemSnapshot,
} from './ui.views.js';

/**
 * The one poller behind every open /ui/system (and the subscriber lanes of /ui/transfers/:id): it
 * reads each service's own /health and /metrics once per interval and shares the snapshot with every
 * stream. It runs only while at least one stream is subscribed (refcount): with no page open it does
 * nothing at all, so the bench is unchanged.
 */
@Injectable()
export class SystemMonitor implements OnModuleDestroy {
  private readonly logger = new Logger(SystemMonitor.name);
  readonly snapshots$: Observable<SystemSnapshot>;
  private latestSnapshot?: SystemSnapshot;
  private previous?: { atMs: number; finished: number };

  constructor(
    @Inject(UI_SETTINGS) private readonly settings: UiSettings,
    @Inject(INTERNAL_HTTP) private readonly http: InternalHttp,
    private readonly faults: DevFaultBook,
    private readonly db: Sql,
  ) {
    this.snapshots$ = timer(0, settings.pollMs).pipe(
      exhaustMap(() => from(this.poll())),
      share({ connector: () => new ReplaySubject<SystemSnapshot>(1), resetOnRefCountZero: true }),
    );
  }

  onModuleDestroy(): void {
    this.http.destroy();
  }

  /** The last snapshot taken while a page was open (undefined before the first). */
  get latest(): SystemSnapshot | undefined {
    return this.latestSnapshot;
  }

  private async poll(): Promise<SystemSnapshot> {
    const [own, ...internal] = await Promise.all([this.readSelf(), ...INTERNAL_APPS.map((app) => this.read(app))]);
    const metrics = new Map<string, Sample[]>([
      ['orchestrator', own.samples],
      ...internal.map((r): [string, Sample[]] => [r.status.name, r.samples]),
    ]);
    const ownSamples = own.samples;
    const finished = sumOf(ownSamples, 'saga_transfers_finished_total');
    const nowMs = Date.now();
    const transfersPerSecond =
      this.previous && nowMs > this.previous.atMs
        ? Math.max(0, (finished - this.previous.finished) / ((nowMs - this.previous.atMs) / 1000))
        : 0;
    this.previous = { atMs: nowMs, finished };
    const outcomes: Record<string, number> = {};
    for (const s of ownSamples.filter((x) => x.name === 'saga_transfers_finished_total'))
      outcomes[s.labels.status] = (outcomes[s.labels.status] ?? 0) + s.value;
    const outboxBacklog: Record<string, number> = {};
    for (const [name, samples] of metrics)
      if (samples.some((s) => s.name === 'outbox_backlog') || name === 'orchestrator')
        outboxBacklog[name] = sumOf(samples, 'outbox_backlog');
    const subscribers = SUBSCRIBER_APPS.map((name): SubscriberStatus => {
      const samples = metrics.get(name) ?? [];
      const queue = (q: (queue: string) => boolean) => sumOf(samples, 'event_queue_messages', (l) => q(l.queue ?? ''));
      return {
        name,
        queued: queue((q) => q === 'main'),
        retrying: queue((q) => q.startsWith('retry')),
        deadLettered: queue((q) => q === 'dlq'),
        applied: sumOf(samples, 'events_consumed_total', (l) => l.outcome === 'processed'),
        paused: this.faults.of(name)?.paused ?? false,
      };
    });
    const snapshot: SystemSnapshot = {
      at: new Date(nowMs).toISOString(),
      development: this.settings.development,
      services: [own.status, ...internal.map((r) => r.status)],
      transfersPerSecond: Math.round(transfersPerSecond * 10) / 10,
      outcomes,
      outboxBacklog,
      subscribers,
      ledgerRefusesNext: this.faults.of('ledger')?.refuseNext ?? 0,
    };
    this.latestSnapshot = snapshot;
    return snapshot;
  }

  private async readSelf(): Promise<{ status: ServiceStatus; samples: Sample[] }> {
    // A collector that fails (its database away) must not end every open page's stream.
    const samples = await metricsRegistry.metrics().then(parseMetrics, () => []);
    try {
      await this.db.rows('SELECT 1');
      return { status: { name: 'orchestrator', healthy: true, delayMs: 0 }, samples };
    } catch (error) {
      return { status: { name: 'orchestrator', healthy: false, problem: String(error), delayMs: 0 }, samples };
    }
  }

  private async read(app: InternalApp): Promise<{ status: ServiceStatus; samples: Sample[] }> {
    const delayMs = app === 'auth' ? 0 : (this.faults.of(app)?.delayMs ?? 0);
    const timeout = this.settings.timeoutMs;
    const [health, metrics] = await Promise.allSettled([this.http.get(app, '/health', timeout), this.http.get(app, '/metrics', timeout)]);
    const samples = metrics.status === 'fulfilled' && metrics.value.status === 200 ? parseMetrics(metrics.value.text) : [];
    if (health.status === 'fulfilled' && health.value.status === 200) return { status: { name: app, healthy: true, delayMs }, samples };
    const problem = health.status === 'fulfilled' ? `health answered ${health.value.status}` : String(health.reason);
    this.logger.debug({ msg: 'service not healthy', app, problem });
    return { status: { name: app, healthy: false, problem, delayMs }, samples };
  }
}
