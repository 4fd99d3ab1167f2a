import { describe, expect, it } from 'vitest';
import { DestinationLimiter } from './limiter.js';

describe('DestinationLimiter', () => {
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
      if (i % 5 === 4) await new Promise((r) => setTimeout(r, 2));
    }
    await Promise.all(runs);
    expect(most).toBe(2);
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(limiter.tryAcquire()).toBe(true);
  });

  it('starts at most its rate per second', async () => {
    const limiter = new DestinationLimiter(100, 5);
    for (let i = 0; i < 5; i++) expect(limiter.tryAcquire()).toBe(true);
    expect(limiter.tryAcquire()).toBe(false);
    const started = Date.now();
    await limiter.acquire();
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });
});
