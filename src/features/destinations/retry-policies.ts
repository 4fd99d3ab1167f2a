/**
 * When to try a delivery again. Pure: the caller passes the random source, so timings are
 * exact in tests. Attempt numbers count from 1 (the first send).
 */
export type RetryPolicy =
  /** GG3's resends: up to `resends` more tries, the n-th after n × `intervalMs`. */
  | { kind: 'linear'; intervalMs: number; resends: number }
  /** MomentScience's schedule: the n-th try `delaysMs[n-1]` after the previous one failed; [0, 60 s, 90 s, 120 s, 150 s]. */
  | { kind: 'schedule'; delaysMs: number[] }
  /** base × 2^(n−1), capped, with full jitter (a random share of the delay), for `maxAttempts` tries. */
  | { kind: 'exponential'; baseMs: number; capMs: number; maxAttempts: number; jitter: boolean };

export const GG3_POLICY: RetryPolicy = { kind: 'linear', intervalMs: 60_000, resends: 5 };
export const MOMENTSCIENCE_POLICY: RetryPolicy = { kind: 'schedule', delaysMs: [0, 60_000, 90_000, 120_000, 150_000] };
/** For new destinations: 10 s, 20 s, 40 s, … up to an hour between tries, about a day in all. */
export const DEFAULT_POLICY: RetryPolicy = { kind: 'exponential', baseMs: 10_000, capMs: 3_600_000, maxAttempts: 30, jitter: true };

export function maxAttempts(policy: RetryPolicy): number {
  switch (policy.kind) {
    case 'linear':
      return policy.resends + 1;
    case 'schedule':
      return policy.delaysMs.length;
    case 'exponential':
      return policy.maxAttempts;
  }
}

export interface RetryContext {
  /** Attempts made so far, the failed one included (≥ 1). */
  attempts: number;
  /** Seconds from a 429/503 Retry-After header, if any. */
  retryAfterSeconds?: number;
  /** A number in [0, 1). */
  random: () => number;
}

/** Retry-After is honoured, but never beyond this (a partner cannot park a delivery for days). */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/** Milliseconds until the next attempt after a failure, or null when the delivery has failed for good. */
export function nextDelay(policy: RetryPolicy, context: RetryContext): number | null {
  if (context.attempts >= maxAttempts(policy)) return null;
  const next = context.attempts + 1;
  let delay: number;
  switch (policy.kind) {
    case 'linear':
      delay = context.attempts * policy.intervalMs;
      break;
    case 'schedule':
      delay = policy.delaysMs[next - 1] ?? 0;
      break;
    case 'exponential': {
      const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** (context.attempts - 1));
      delay = policy.jitter ? Math.floor(ceiling / 2 + context.random() * (ceiling / 2)) : ceiling;
      break;
    }
  }
  if (context.retryAfterSeconds !== undefined && Number.isFinite(context.retryAfterSeconds) && context.retryAfterSeconds > 0) {
    delay = Math.max(delay, Math.min(context.retryAfterSeconds * 1000, MAX_RETRY_AFTER_MS));
  }
  return delay;
}

/** A Retry-After header: delta seconds or an HTTP date, as seconds from `now`; undefined if unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.round((at - now) / 1000));
}

/** What counts as the partner having accepted a delivery. */
export type SuccessRule =
  | { kind: '2xx' }
  | { kind: 'status'; status: number }
  /** A 2xx whose body, trimmed, equals this text (partners that answer `1` or `OK`). */
  | { kind: 'body'; equals: string };

export function isSuccess(rule: SuccessRule, status: number, body: string): boolean {
  switch (rule.kind) {
    case '2xx':
      return status >= 200 && status < 300;
    case 'status':
      return status === rule.status;
    case 'body':
      return status >= 200 && status < 300 && body.trim() === rule.equals;
  }
}
