import { combine, recentHits, streakVerdict, windowVerdict } from './rate-window.js';

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1) + seconds * 1_000);
const HOUR = { limit: 10, windowSeconds: 3_600 };

describe('rolling window', () => {
  it('counts only hits younger than the window, oldest first', () => {
    const now = at(10_000);
    const hits = [at(10_000 - 3_600), at(9_999), at(10_000 - 3_599), at(5_000)];
    expect(recentHits(hits, now, 3_600)).toEqual([at(10_000 - 3_599), at(9_999)]);
  });

  it('admits while fewer hits than the limit count', () => {
    const hits = Array.from({ length: 9 }, (_, i) => at(i * 60));
    expect(windowVerdict(hits, at(600), HOUR)).toEqual({ admitted: true });
  });

  it('refuses a full window until its oldest hit leaves it', () => {
    const hits = Array.from({ length: 10 }, (_, i) => at(i * 60));
    // The oldest (t=0) counts until t=3600: from t=600 that is 3000 s.
    expect(windowVerdict(hits, at(600), HOUR)).toEqual({ admitted: false, retryAfterSeconds: 3_000 });
    // At t=3600 the oldest no longer counts (recentHits drops it) and one more fits.
    expect(windowVerdict(recentHits(hits, at(3_600), 3_600), at(3_600), HOUR)).toEqual({ admitted: true });
  });

  it('rounds the wait up to whole seconds, never below one', () => {
    const hits = Array.from({ length: 10 }, () => at(0));
    expect(windowVerdict(hits, new Date(at(3_599).getTime() + 1), HOUR)).toEqual({ admitted: false, retryAfterSeconds: 1 });
    expect(windowVerdict(hits, new Date(at(3_000).getTime() + 500), HOUR)).toEqual({ admitted: false, retryAfterSeconds: 600 });
  });

  it('after the limit was lowered, waits until enough hits have left for one more to fit', () => {
    const hits = Array.from({ length: 10 }, (_, i) => at(i * 60));
    // Limit 3: hits 8, 9, 10 may stay; the 8th (t=420) must leave, at t=4020.
    expect(windowVerdict(hits, at(600), { limit: 3, windowSeconds: 3_600 })).toEqual({ admitted: false, retryAfterSeconds: 3_420 });
  });

  it('a steady prober gets at most the limit per window, however often it asks', () => {
    let log: Date[] = [];
    let admitted = 0;
    // One attempt every 10 s for 3 hours; only admitted attempts are logged.
    for (let t = 0; t < 3 * 3_600; t += 10) {
      const now = at(t);
      log = recentHits(log, now, HOUR.windowSeconds);
      if (windowVerdict(log, now, HOUR).admitted) {
        log.push(now);
        admitted++;
      }
    }
    expect(admitted).toBe(30);
  });
});

describe('consecutive failures', () => {
  const RULE = { limit: 100, waitSeconds: 7_200 };

  it('admits below the streak limit', () => {
    expect(streakVerdict(99, at(0), at(1), RULE)).toEqual({ admitted: true });
    expect(streakVerdict(0, null, at(1), RULE)).toEqual({ admitted: true });
  });

  it('at the limit, waits the longer wait after the latest failure', () => {
    expect(streakVerdict(100, at(0), at(200), RULE)).toEqual({ admitted: false, retryAfterSeconds: 7_000 });
    expect(streakVerdict(150, at(0), at(7_200), RULE)).toEqual({ admitted: true });
  });

  it('combines refusals by the longest wait', () => {
    expect(combine({ admitted: true }, { admitted: false, retryAfterSeconds: 5 }, { admitted: false, retryAfterSeconds: 50 })).toEqual({
      admitted: false,
      retryAfterSeconds: 50,
    });
    expect(combine({ admitted: true }, { admitted: true })).toEqual({ admitted: true });
  });
});
