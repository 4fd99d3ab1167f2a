import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DestinationLimiter } from './limiter.js';

// Fake timers: the limiter's clock and its waits are the timers', so time passes only when the
// test says, and every window is checked exactly, however busy the machine.
describe('DestinationLimiter', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('never lets more than its concurrency through, whichever way a slot is taken, and serves waiters in order', async () => {
    const limiter = new DestinationLimiter(2, Number.MAX_SAFE_INTEGER);
    let active = 0;
    let most = 0;
    const order: number[] = [];
    const run = async (i: number) => {
      if (!limiter.tryAcquire()) await limiter.acquire();
      active++;
      most = Math.max(most, active);
      order.push(i);
      await new Promise((r) => setTimeout(r, 1 + (i % 3)));
      active--;
      limiter.release();
    };
    const runs: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      runs.push(run(i));
      // A released slot must go to the first waiter, not to a newcomer in between.
      if (i % 5 === 4) await vi.advanceTimersByTimeAsync(2);
    }
    await vi.runAllTimersAsync();
    await Promise.all(runs);
    expect(most).toBe(2);
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(limiter.tryAcquire()).toBe(true);
  });

  it('starts at most its rate per second: a burst of one second, then one every 1/rate s', async () => {
    const limiter = new DestinationLimiter(100, 5);
    for (let i = 0; i < 5; i++) expect(limiter.tryAcquire()).toBe(true);
    expect(limiter.tryAcquire()).toBe(false);
    let started = 0;
    const waiting = Array.from({ length: 5 }, () => limiter.acquire().then(() => started++));
    await vi.advanceTimersByTimeAsync(199);
    expect(started).toBe(0);
    for (let n = 1; n <= 5; n++) {
      await vi.advanceTimersByTimeAsync(1);
      expect(started).toBe(n);
      if (n < 5) await vi.advanceTimersByTimeAsync(199);
      expect(started).toBe(n);
    }
    await Promise.all(waiting);
    // A quiet second refills the bucket, to one second's worth and no more.
    await vi.advanceTimersByTimeAsync(5_000);
    for (let i = 0; i < 5; i++) expect(limiter.tryAcquire()).toBe(true);
    expect(limiter.tryAcquire()).toBe(false);
  });
});
