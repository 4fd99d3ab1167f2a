import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, GG3_POLICY, MOMENTSCIENCE_POLICY, isSuccess, maxAttempts, nextDelay, parseRetryAfter } from './retry-policies.js';

const never = () => 0;
const delays = (policy: Parameters<typeof nextDelay>[0], random = never) => {
  const out: Array<number | null> = [];
  for (let attempts = 1; attempts <= maxAttempts(policy); attempts++) out.push(nextDelay(policy, { attempts, random }));
  return out;
};

describe('retry policies', () => {
  it('GG3: 5 resends, the n-th after n × the interval', () => {
    expect(delays(GG3_POLICY)).toEqual([60_000, 120_000, 180_000, 240_000, 300_000, null]);
  });

  it('MomentScience: attempts at 0 s, 60 s, 90 s, 120 s, 150 s, then failed', () => {
    expect(maxAttempts(MOMENTSCIENCE_POLICY)).toBe(5);
    expect(delays(MOMENTSCIENCE_POLICY)).toEqual([60_000, 90_000, 120_000, 150_000, null]);
  });

  it('exponential: doubling, capped, with jitter in the upper half', () => {
    const policy = { kind: 'exponential', baseMs: 1000, capMs: 10_000, maxAttempts: 7, jitter: false } as const;
    expect(delays(policy)).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000, null]);
    expect(delays({ ...policy, jitter: true }, () => 0)).toEqual([500, 1000, 2000, 4000, 5000, 5000, null]);
    expect(delays({ ...policy, jitter: true }, () => 0.999_999)).toEqual([999, 1999, 3999, 7999, 9999, 9999, null]);
    expect(maxAttempts(DEFAULT_POLICY)).toBe(30);
  });

  it('honours Retry-After within an hour, never shortening the policy', () => {
    expect(nextDelay(MOMENTSCIENCE_POLICY, { attempts: 1, random: never, retryAfterSeconds: 300 })).toBe(300_000);
    expect(nextDelay(MOMENTSCIENCE_POLICY, { attempts: 1, random: never, retryAfterSeconds: 5 })).toBe(60_000);
    expect(nextDelay(MOMENTSCIENCE_POLICY, { attempts: 1, random: never, retryAfterSeconds: 86_400 })).toBe(3_600_000);
    expect(nextDelay(MOMENTSCIENCE_POLICY, { attempts: 5, random: never, retryAfterSeconds: 10 })).toBeNull();
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-11-21T12:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter('Sat, 21 Nov 2026 12:02:00 GMT', now)).toBe(120);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('success rules', () => {
  it('2xx by default, 200 exactly, or a body such as 1 or OK', () => {
    expect(isSuccess({ kind: '2xx' }, 204, '')).toBe(true);
    expect(isSuccess({ kind: '2xx' }, 302, '')).toBe(false);
    expect(isSuccess({ kind: 'status', status: 200 }, 201, '')).toBe(false);
    expect(isSuccess({ kind: 'body', equals: 'OK' }, 200, 'OK\n')).toBe(true);
    expect(isSuccess({ kind: 'body', equals: '1' }, 200, '0')).toBe(false);
    expect(isSuccess({ kind: 'body', equals: '1' }, 500, '1')).toBe(false);
  });
});
