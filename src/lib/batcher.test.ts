import { describe, expect, it, vi } from 'vitest';
import { Batcher } from './batcher.js';

describe('Batcher', () => {
  it('flushes items added in one tick together, and those added during a flush in the next', async () => {
    const flushed: number[][] = [];
    let release: () => void = () => {};
    const batcher = new Batcher<number>(async (items) => {
      flushed.push(items);
      if (flushed.length === 1) await new Promise<void>((r) => (release = r));
    });
    const first = [batcher.add(1), batcher.add(2)];
    await new Promise((r) => setImmediate(r));
    expect(flushed).toEqual([[1, 2]]);
    const second = [batcher.add(3), batcher.add(4), batcher.add(5)];
    await new Promise((r) => setImmediate(r));
    expect(flushed).toHaveLength(1); // waits for the flush under way
    release();
    await Promise.all([...first, ...second]);
    expect(flushed).toEqual([[1, 2], [3, 4, 5]]);
  });

  it('rejects the items of a failed flush only, and goes on with the next', async () => {
    let calls = 0;
    const batcher = new Batcher<string>(() => {
      calls++;
      return calls === 1 ? Promise.reject(new Error('store down')) : Promise.resolve();
    });
    const failed = batcher.add('a');
    await expect(failed).rejects.toThrow('store down');
    await expect(batcher.add('b')).resolves.toBeUndefined();
    await batcher.idle();
    expect(calls).toBe(2);
  });

  it('caps a flush at maxBatch items', async () => {
    const sizes: number[] = [];
    const batcher = new Batcher<number>((items) => {
      sizes.push(items.length);
      return Promise.resolve();
    }, 3);
    await Promise.all(Array.from({ length: 7 }, (_, i) => batcher.add(i)));
    expect(sizes).toEqual([3, 3, 1]);
  });

  it('waits delayMs for company, unless idle() is asked for or the batch is full', async () => {
    vi.useFakeTimers();
    try {
      const sizes: number[] = [];
      const batcher = new Batcher<number>((items) => {
        sizes.push(items.length);
        return Promise.resolve();
      }, 3, 50);
      batcher.push(1);
      await vi.advanceTimersByTimeAsync(10);
      batcher.push(2);
      await vi.advanceTimersByTimeAsync(39);
      expect(sizes).toEqual([]); // still waiting, 49 ms after the first
      await vi.advanceTimersByTimeAsync(1);
      expect(sizes).toEqual([2]);
      batcher.push(3);
      await batcher.idle(); // ends the wait at once: no time passes
      expect(sizes).toEqual([2, 1]);
      for (const i of [4, 5, 6]) batcher.push(i);
      await vi.advanceTimersByTimeAsync(0);
      expect(sizes).toEqual([2, 1, 3]); // full: no wait
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('Batcher with a delay, under a steady stream', () => {
  it('makes what arrives during a flush wait for company too, and idle() still ends every wait', async () => {
    vi.useFakeTimers();
    try {
      const sizes: number[] = [];
      const batcher = new Batcher<number>(async (items) => {
        sizes.push(items.length);
        await new Promise((r) => setTimeout(r, 5)); // a commit
      }, 1000, 40);
      batcher.push(1);
      await vi.advanceTimersByTimeAsync(42); // the first flush began at 40 and commits until 45
      expect(sizes).toEqual([1]);
      batcher.push(2);
      await vi.advanceTimersByTimeAsync(18); // it has committed; 2 waits for company until 85
      batcher.push(3);
      await vi.advanceTimersByTimeAsync(24);
      expect(sizes).toEqual([1]);
      await vi.advanceTimersByTimeAsync(1);
      expect(sizes).toEqual([1, 2]); // 2 and 3 together, after the wait
      await vi.advanceTimersByTimeAsync(5); // their commit
      batcher.push(4);
      const started = performance.now();
      const idle = batcher.idle();
      await vi.advanceTimersByTimeAsync(0);
      expect(sizes).toEqual([1, 2, 1]); // no wait for company
      await vi.advanceTimersByTimeAsync(5); // only its commit
      await idle;
      expect(performance.now() - started).toBe(5);
    } finally {
      vi.useRealTimers();
    }
  });
});
