/**
 * The arithmetic of the OTP limits, apart from the database so it can be checked on its own. Every
 * limit is a rolling window over a log of hits (requests it admitted or codes that failed): a hit
 * counts while it is younger than the window. A refused request is never logged, so hammering a full
 * window does not push it forward: it frees on its own, at the latest one window after its newest hit.
 */
export interface WindowRule {
  /** Hits that may count at once. */
  limit: number;
  windowSeconds: number;
}

/** After `limit` failures in a row, every further one waits `waitSeconds` after the previous (NIST SP 800-63B). */
export interface StreakRule {
  limit: number;
  waitSeconds: number;
}

export type Verdict = { admitted: true } | { admitted: false; retryAfterSeconds: number };

/** The hits that still count at `now`, oldest first. */
export function recentHits(hits: readonly Date[], now: Date, windowSeconds: number): Date[] {
  const since = now.getTime() - windowSeconds * 1_000;
  return hits.filter((hit) => hit.getTime() > since).sort((a, b) => a.getTime() - b.getTime());
}

/** Whole seconds until `at`, at least 1: a Retry-After of 0 would invite an immediate retry that is refused again. */
function secondsUntil(at: number, now: Date): number {
  return Math.max(1, Math.ceil((at - now.getTime()) / 1_000));
}

/**
 * Whether one more hit fits the window. When it does not, the wait until enough of the oldest hits
 * have left it (one, unless the limit was lowered below what the log already holds).
 */
export function windowVerdict(recent: readonly Date[], now: Date, rule: WindowRule): Verdict {
  if (recent.length < rule.limit) return { admitted: true };
  const freesFirst = recent[recent.length - rule.limit];
  return { admitted: false, retryAfterSeconds: secondsUntil(freesFirst.getTime() + rule.windowSeconds * 1_000, now) };
}

/** Whether a phone whose failures run `streak` long, the latest at `lastFailureAt`, may try a code now. */
export function streakVerdict(streak: number, lastFailureAt: Date | null, now: Date, rule: StreakRule): Verdict {
  if (streak < rule.limit || lastFailureAt === null) return { admitted: true };
  const waitEnds = lastFailureAt.getTime() + rule.waitSeconds * 1_000;
  return waitEnds <= now.getTime() ? { admitted: true } : { admitted: false, retryAfterSeconds: secondsUntil(waitEnds, now) };
}

/** Refused when any verdict refuses; the wait is the longest, so a retry after it meets none of the same hits again. */
export function combine(...verdicts: Verdict[]): Verdict {
  const waits = verdicts.flatMap((v) => (v.admitted ? [] : [v.retryAfterSeconds]));
  return waits.length === 0 ? { admitted: true } : { admitted: false, retryAfterSeconds: Math.max(...waits) };
}
