import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GroupCommit, type Outcome } from './group-commit.js';

/** A flush that ends when the test says so. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open: () => void = () => {};
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Lets the current event-loop turn end (immediates run) without any time passing. */
const endOfTurn = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('GroupCommit', () => {
  it('flushes a lone item at the end of the turn, with no time passing', async () => {
    const flushed: number[][] = [];
    const engine = new GroupCommit<number>((items) => {
      flushed.push(items);
      return Promise.resolve();
    }, { maxBatch: 10 });
    const started = performance.now();
    const done = engine.add(1);
    expect(flushed).toEqual([]); // not inside add(): items of the same turn share the flush
    await endOfTurn();
    await done;
    expect(flushed).toEqual([[1]]);
    expect(performance.now() - started).toBe(0);
    expect(engine.busy).toBe(false);
  });

  it('flushes items added in one tick together, and those added during a flush in the next', async () => {
    const flushed: number[][] = [];
    const first = gate();
    const engine = new GroupCommit<number>(async (items) => {
      flushed.push(items);
      if (flushed.length === 1) await first.promise;
    }, { maxBatch: 256 });
    const firstItems = [engine.add(1), engine.add(2)];
    await endOfTurn();
    expect(flushed).toEqual([[1, 2]]);
    const second = [engine.add(3), engine.add(4), engine.add(5)];
    await endOfTurn();
    expect(flushed).toHaveLength(1); // waits for the flush under way
    first.open();
    await Promise.all([...firstItems, ...second]);
    expect(flushed).toEqual([[1, 2], [3, 4, 5]]);
  });

  it('rejects the items of a failed flush only, and goes on with the next', async () => {
    let calls = 0;
    const engine = new GroupCommit<string>(() => {
      calls++;
      return calls === 1 ? Promise.reject(new Error('store down')) : Promise.resolve();
    }, { maxBatch: 256 });
    const failed = engine.add('a');
    const failedCheck = expect(failed).rejects.toThrow('store down');
    await endOfTurn();
    await failedCheck;
    const next = engine.add('b');
    await endOfTurn();
    await expect(next).resolves.toBeUndefined();
    await engine.idle();
    expect(calls).toBe(2);
  });

  it("answers each item its own outcome: one failing item fails alone", async () => {
    const engine = new GroupCommit<number, number>((items) =>
      Promise.resolve(items.map((n): Outcome<number> => (n < 0 ? { ok: false, error: new Error(`bad ${n}`) } : { ok: true, value: n * 10 }))),
    { maxBatch: 10 });
    const results = Promise.allSettled([engine.add(1), engine.add(-2), engine.add(3)]);
    await endOfTurn();
    expect(await results).toEqual([
      { status: 'fulfilled', value: 10 },
      { status: 'rejected', reason: new Error('bad -2') },
      { status: 'fulfilled', value: 30 },
    ]);
  });

  it('caps a flush at maxBatch items', async () => {
    const sizes: number[] = [];
    const engine = new GroupCommit<number>((items) => {
      sizes.push(items.length);
      return Promise.resolve();
    }, { maxBatch: 3 });
    const all = Promise.all(Array.from({ length: 7 }, (_, i) => engine.add(i)));
    await endOfTurn();
    await all;
    expect(sizes).toEqual([3, 3, 1]);
  });

  it('keeps up to maxInFlight flushes under way, and sends what queued once one ends', async () => {
    const gates: Array<ReturnType<typeof gate>> = [];
    const flushed: number[][] = [];
    const engine = new GroupCommit<number>(async (items) => {
      flushed.push(items);
      const g = gate();
      gates.push(g);
      await g.promise;
    }, { maxBatch: 2, maxInFlight: 2 });
    for (const i of [1, 2, 3, 4, 5]) engine.push(i);
    await endOfTurn();
    expect(flushed).toEqual([[1, 2], [3, 4]]); // two at once; 5 waits for a free slot
    engine.push(6);
    await endOfTurn();
    expect(flushed).toHaveLength(2);
    gates[1]!.open(); // the second ends first: its slot takes what queued, at once
    await vi.advanceTimersByTimeAsync(0);
    expect(flushed).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(engine.busy).toBe(true);
    gates[0]!.open();
    gates[2]!.open();
    await engine.idle();
    expect(engine.busy).toBe(false);
  });

  it('waits delayMs for company, unless idle() is asked for or the batch is full', async () => {
    const sizes: number[] = [];
    const engine = new GroupCommit<number>((items) => {
      sizes.push(items.length);
      return Promise.resolve();
    }, { maxBatch: 3, delayMs: 50 });
    engine.push(1);
    await vi.advanceTimersByTimeAsync(10);
    engine.push(2);
    await vi.advanceTimersByTimeAsync(39);
    expect(sizes).toEqual([]); // still waiting, 49 ms after the first
    await vi.advanceTimersByTimeAsync(1);
    expect(sizes).toEqual([2]);
    engine.push(3);
    await engine.idle(); // ends the wait at once: no time passes
    expect(sizes).toEqual([2, 1]);
    for (const i of [4, 5, 6]) engine.push(i);
    await vi.advanceTimersByTimeAsync(0);
    expect(sizes).toEqual([2, 1, 3]); // full: no wait
  });

  it('resolves idle() at once when nothing is pending', async () => {
    const engine = new GroupCommit<number>(() => Promise.resolve(), { maxBatch: 3, delayMs: 50 });
    const started = performance.now();
    await engine.idle();
    expect(performance.now() - started).toBe(0);
  });

  it('on close, flushes what was added without waiting for company, then refuses new items', async () => {
    const sizes: number[] = [];
    const engine = new GroupCommit<number>(async (items) => {
      sizes.push(items.length);
      await new Promise((r) => setTimeout(r, 5)); // a commit
    }, { maxBatch: 10, delayMs: 1000, closedError: () => new Error('shutting down') });
    const added = [engine.add(1), engine.add(2)];
    const started = performance.now();
    const closed = engine.close();
    await expect(engine.add(3)).rejects.toThrow('shutting down');
    await vi.advanceTimersByTimeAsync(5);
    await closed;
    await Promise.all(added);
    expect(sizes).toEqual([2]);
    expect(performance.now() - started).toBe(5); // the commit only
    let failed: unknown = null;
    engine.push(4, undefined, (error) => (failed = error));
    expect(failed).toEqual(new Error('shutting down'));
    expect(engine.busy).toBe(false);
  });
});

describe('GroupCommit with a delay, under a steady stream', () => {
  it('makes what arrives during a flush wait for company too, and idle() still ends every wait', async () => {
    const sizes: number[] = [];
    const engine = new GroupCommit<number>(async (items) => {
      sizes.push(items.length);
      await new Promise((r) => setTimeout(r, 5)); // a commit
    }, { maxBatch: 1000, delayMs: 40 });
    engine.push(1);
    await vi.advanceTimersByTimeAsync(42); // the first flush began at 40 and commits until 45
    expect(sizes).toEqual([1]);
    engine.push(2);
    await vi.advanceTimersByTimeAsync(18); // it has committed; 2 waits for company until 85
    engine.push(3);
    await vi.advanceTimersByTimeAsync(24);
    expect(sizes).toEqual([1]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sizes).toEqual([1, 2]); // 2 and 3 together, after the wait
    await vi.advanceTimersByTimeAsync(5); // their commit
    engine.push(4);
    const started = performance.now();
    const idle = engine.idle();
    await vi.advanceTimersByTimeAsync(0);
    expect(sizes).toEqual([1, 2, 1]); // no wait for company
    await vi.advanceTimersByTimeAsync(5); // only its commit
    await idle;
    expect(performance.now() - started).toBe(5);
  });
});
