// The closed loop: `connections` clients, each sending its next POST /transfers as soon as the
// previous one answered, every one with a fresh Idempotency-Key. Only requests that finish inside
// the measured window count towards throughput and latency; the warm-up is driven the same way.
import { randomUUID } from 'node:crypto';
import * as hdr from 'hdr-histogram-js';
import { keepAliveAgent, send } from './http-client.mjs';

export function newHistogram() {
  // Microseconds, 1 us .. 10 min, 3 significant digits.
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
}

/** Picks (from, to) indexes: uniform, or with probability `hotFraction` one side is participant 0. */
export function pairPicker(count, hotFraction, random = Math.random) {
  const other = (not) => {
    const i = Math.floor(random() * (count - 1));
    return i >= not ? i + 1 : i;
  };
  return () => {
    if (hotFraction > 0 && random() < hotFraction) {
      const peer = other(0);
      return random() < 0.5 ? [0, peer] : [peer, 0];
    }
    const from = Math.floor(random() * count);
    return [from, other(from)];
  };
}

/**
 * Drives the load. `onCompleted(sample)` is called for every 201 inside the measured window (the
 * event-lag sampler picks from them). Resolves with the figures of the window and the run's totals.
 */
export async function runLoad({
  urls,
  participants,
  connections,
  warmupS,
  durationS,
  hotFraction,
  amountMax,
  onCompleted = () => {},
  onTick = () => {},
  onMeasureStart = () => {},
  onMeasureEnd = () => {},
}) {
  const agent = keepAliveAgent(connections);
  const pick = pairPicker(participants.length, hotFraction);
  const histogram = newHistogram();
  const statusCounts = {}; // in the window: "201", "422 INSUFFICIENT_FUNDS", "0 ECONNRESET", ...
  const totals = { sent: 0, completed: 0, pending: 0, refused: 0, other: 0 };
  const pendingIds = [];
  const completedTo = new Array(participants.length).fill(0);
  const start = Date.now();
  const measureStart = start + warmupS * 1000;
  const measureEnd = measureStart + durationS * 1000;
  let windowTransfers = 0;
  let windowRequests = 0;
  let seq = 0;

  const tick = setInterval(() => onTick({ now: Date.now(), measureStart, measureEnd, windowTransfers, totals }), 1000);
  let phase = 0; // 0 warm-up, 1 measuring, 2 done
  const enterPhase = (next) => {
    while (phase < next) {
      phase++;
      if (phase === 1) onMeasureStart();
      else onMeasureEnd();
    }
  };
  const startTimer = setTimeout(() => enterPhase(1), measureStart - Date.now());
  const endTimer = setTimeout(() => enterPhase(2), measureEnd - Date.now());

  async function client() {
    while (Date.now() < measureEnd) {
      const [from, to] = pick();
      const payer = participants[from];
      const n = ++seq;
      const res = await send(urls.orchestrator, {
        method: 'POST',
        path: '/transfers',
        agent,
        headers: { authorization: `Bearer ${payer.token}`, 'idempotency-key': randomUUID() },
        body: {
          fromAccountId: payer.accountId,
          toAccountId: participants[to].accountId,
          amount: 1 + Math.floor(Math.random() * amountMax),
          currency: 'EUR',
          reference: `bench ${n}`,
        },
      });
      const now = Date.now();
      totals.sent++;
      if (res.status === 201) {
        totals.completed++;
        completedTo[to]++;
      } else if (res.status === 202) {
        totals.pending++;
        if (res.body?.id) pendingIds.push(res.body.id);
      } else if (res.status === 422) totals.refused++;
      else totals.other++;

      if (now >= measureStart && now < measureEnd) {
        windowRequests++;
        histogram.recordValue(Math.max(1, Math.round(res.ms * 1000)));
        const key =
          res.status === 0 ? `0 ${res.error}` : res.status >= 400 && res.body?.code ? `${res.status} ${res.body.code}` : String(res.status);
        statusCounts[key] = (statusCounts[key] ?? 0) + 1;
        if (res.status === 201 || res.status === 202) windowTransfers++;
        if (res.status === 201 && res.body?.id) {
          onCompleted({
            transferId: res.body.id,
            reference: `bench ${n}`,
            toIndex: to,
            respondedAtMs: now,
            completedAtMs: Number.isFinite(Date.parse(res.body.completedAt)) ? Date.parse(res.body.completedAt) : now,
            clientCompleted: totals.completed,
            clientCompletedToRecipient: completedTo[to],
          });
        }
      }
    }
  }

  try {
    await Promise.all(Array.from({ length: connections }, client));
  } finally {
    clearInterval(tick);
    clearTimeout(startTimer);
    clearTimeout(endTimer);
    enterPhase(2);
    agent.destroy();
  }
  const windowMs = measureEnd - measureStart;
  return {
    histogram,
    statusCounts,
    windowMs,
    windowRequests,
    windowTransfers,
    transfersPerSec: windowTransfers / (windowMs / 1000),
    requestsPerSec: windowRequests / (windowMs / 1000),
    totals,
    pendingIds,
    completedTo,
  };
}
