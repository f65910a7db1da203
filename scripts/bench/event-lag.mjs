// Event lag: from a transfer's completion (its completedAt) until each subscriber has it.
// - audit: GET /audit/events?transferId=&type=transfer.completed; lag = recordedAt - completedAt
//   (both server clocks on this machine), or when the record has no recordedAt, when we saw it;
// - notifications: its inbox (GET /inbox/:eventId, the event id read from the audit record) says
//   when it handled the event; before audit has it, the receiver's dev outbox holds a message naming
//   the transfer (its id or our reference "bench <n>"); lag = handledAt or sentAt - completedAt;
// - analytics: only running totals, so the summary is polled and a sample counts as seen once
//   transfers.completed has grown by as many transfers as we had seen completed at that moment.
// Samples are spread over the measured window (one per duration/samples), and the probes run on
// their own small agent, at most a few at a time, so they add little load.
import { keepAliveAgent, send, sleep } from './http-client.mjs';

const MAX_INFLIGHT = 4;
const POLL_EVERY_MS = 50;

export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

export function summarize(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (v) => (v === null ? null : Math.round(v * 10) / 10);
  return {
    samples: sorted.length,
    p50Ms: round(percentile(sorted, 50)),
    p95Ms: round(percentile(sorted, 95)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted.length ? sorted[sorted.length - 1] : null),
  };
}

export class EventLagSampler {
  constructor({ urls, participants, samples, durationS, hotFraction, enabled }) {
    this.urls = urls;
    this.participants = participants;
    this.max = samples;
    this.slotMs = (durationS * 1000) / Math.max(1, samples);
    this.hot = hotFraction > 0;
    this.enabled = enabled; // { audit, notifications, analytics }
    this.agent = keepAliveAgent(MAX_INFLIGHT + 1);
    this.samples = [];
    this.lags = { audit: [], notifications: [], analytics: [] };
    this.missing = { audit: 0, notifications: 0, analytics: 0 };
    this.probeErrors = { audit: 0, notifications: 0, analytics: 0 };
    this.inflight = 0;
    this.waiters = [];
    this.trackers = [];
    this.analyticsLoop = undefined;
    this.stopped = false;
    this.deadline = Infinity;
    this.analyticsSeries = []; // [timeMs, completed]
  }

  /** Reads the analytics baseline and starts polling its summary. */
  async start() {
    if (!this.enabled.analytics) return;
    const first = await send(this.urls.analytics, { path: '/analytics/summary', agent: this.agent });
    this.analyticsBaseline = first.status === 200 ? Number(first.body?.transfers?.completed ?? 0) : undefined;
    this.analyticsLoop = this.pollAnalytics();
  }

  /** Called by the load for each 201 in the window; keeps one per time slot. */
  offer(sample) {
    if (this.samples.length >= this.max) return;
    this.firstAt ??= sample.respondedAtMs;
    if (sample.respondedAtMs < this.firstAt + this.samples.length * this.slotMs) return;
    // The hot account's outbox holds only its newest messages: sample other receivers.
    if (this.hot && sample.toIndex === 0) return;
    this.samples.push(sample);
    // Audit and notifications stamp when they handled the event (recordedAt, sentAt), so they are
    // asked after the load (see finish): probing during it would load the services being measured.
    if (this.enabled.analytics && this.analyticsBaseline !== undefined) {
      this.trackers.push(this.track('analytics', sample, async () => this.seenByAnalytics(sample)));
    }
  }

  /** After the load: keeps polling until every sample was seen or `timeoutMs` passed. */
  async finish(timeoutMs) {
    this.deadline = Date.now() + timeoutMs;
    for (const sample of this.samples) {
      const recipient = this.participants[sample.toIndex];
      if (this.enabled.audit) this.trackers.push(this.track('audit', sample, () => this.probeAudit(sample)));
      if (this.enabled.notifications)
        this.trackers.push(this.track('notifications', sample, () => this.probeNotifications(sample, recipient.phone)));
    }
    await Promise.all(this.trackers);
    this.stopped = true;
    await this.analyticsLoop;
    this.agent.destroy();
    const result = {};
    for (const target of Object.keys(this.lags)) {
      result[target] = this.enabled[target]
        ? { ...summarize(this.lags[target]), missing: this.missing[target], probeErrors: this.probeErrors[target] }
        : null;
    }
    return result;
  }

  async withSlot(fn) {
    while (this.inflight >= MAX_INFLIGHT) await new Promise((resolve) => this.waiters.push(resolve));
    this.inflight++;
    try {
      return await fn();
    } finally {
      this.inflight--;
      this.waiters.shift()?.();
    }
  }

  async track(target, sample, probe) {
    for (;;) {
      const seen = await (target === 'analytics' ? probe() : this.withSlot(probe));
      if (seen !== undefined) {
        this.lags[target].push(Math.max(0, seen - sample.completedAtMs));
        return;
      }
      if (Date.now() > this.deadline) {
        this.missing[target]++;
        return;
      }
      await sleep(POLL_EVERY_MS);
    }
  }

  /** Time the audit trail recorded the transfer's completion, or undefined while it has not. */
  async probeAudit(sample) {
    const res = await send(this.urls.audit, {
      path: `/audit/events?transferId=${sample.transferId}&type=transfer.completed`,
      agent: this.agent,
    });
    if (res.status !== 200 || !Array.isArray(res.body)) {
      this.probeErrors.audit++;
      return undefined;
    }
    const record = res.body.find((r) => r.type === 'transfer.completed' && (r.data?.transferId ?? sample.transferId) === sample.transferId);
    if (!record) return undefined;
    sample.eventId ??= record.eventId;
    const recorded = Date.parse(record.recordedAt);
    return Number.isFinite(recorded) ? recorded : Date.now();
  }

  async probeNotifications(sample, phone) {
    // The dev outbox lists a recipient's newest messages only, so a busy receiver's older ones drop
    // out of it; once the audit record names the event, the subscriber's inbox answers for any age.
    if (sample.eventId) {
      const res = await send(this.urls.notifications, { path: `/inbox/${sample.eventId}`, agent: this.agent });
      if (res.status === 200 && typeof res.body?.handledAt === 'string') return Date.parse(res.body.handledAt);
      // 404, or 200 with handled: false (it failed on the event and will retry): not yet.
      if (res.status !== 404 && res.body?.handled !== false) this.probeErrors.notifications++;
      return undefined;
    }
    const res = await send(this.urls.notifications, { path: `/outbox?recipient=${encodeURIComponent(phone)}`, agent: this.agent });
    if (res.status !== 200 || !Array.isArray(res.body)) {
      this.probeErrors.notifications++;
      return undefined;
    }
    const reference = new RegExp(`${sample.reference.replace(/ /g, '\\s')}(?!\\d)`);
    const message = res.body.find((m) => typeof m.body === 'string' && (m.body.includes(sample.transferId) || reference.test(m.body)));
    if (!message) return undefined;
    const sent = Date.parse(message.sentAt);
    return Number.isFinite(sent) ? sent : Date.now();
  }

  seenByAnalytics(sample) {
    const target = this.analyticsBaseline + sample.clientCompleted;
    // The counter only grows: binary search for the first poll that reached the target.
    const series = this.analyticsSeries;
    let lo = 0;
    let hi = series.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (series[mid][1] >= target) hi = mid;
      else lo = mid + 1;
    }
    return series[lo]?.[0];
  }

  async pollAnalytics() {
    while (!this.stopped) {
      const res = await send(this.urls.analytics, { path: '/analytics/summary', agent: this.agent });
      if (res.status === 200 && res.body?.transfers) {
        const completed = Number(res.body.transfers.completed);
        const last = this.analyticsSeries.at(-1);
        if (!last || last[1] !== completed) this.analyticsSeries.push([Date.now(), completed]);
      } else this.probeErrors.analytics++;
      await sleep(POLL_EVERY_MS);
    }
  }
}
