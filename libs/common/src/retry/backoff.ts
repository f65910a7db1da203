export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** 0..1: how much of each delay is randomised, so many clients do not reconnect in lockstep. */
  jitter: number;
}

/**
 * The one backoff of the system (broker reconnects, RPC retries, saga step retries, each with its
 * own policy). Delay before attempt `attempt` (0-based) tries again: exponential from `initialMs`,
 * never above `maxMs` (the jitter only shortens a delay), so a long outage costs at most `maxMs`
 * of extra wait. `random` returning 0 gives the longest delay.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponential = policy.initialMs * 2 ** Math.min(attempt, 30);
  const base = Math.min(policy.maxMs, exponential);
  return Math.round(base * (1 - policy.jitter * random()));
}
