import { describe, expect, it } from 'vitest';
import { TtlCache } from './ttl-cache.js';

function held(start = 0) {
  const clock = { t: start, now: () => clock.t };
  return clock;
}

describe('TtlCache', () => {
  it('keeps an entry until its time to live has passed by the injected clock, from time 0 too', () => {
    const clock = held(0);
    const cache = new TtlCache<string, number>(clock, 1000);
    cache.set('a', 1);
    clock.t = 999;
    expect(cache.get('a')).toBe(1);
    clock.t = 1000;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('holds null as a value (known not to exist), told apart from a miss', () => {
    const cache = new TtlCache<string, number | null>(held(), 1000);
    cache.set('gone', null);
    expect(cache.get('gone')).toBeNull();
    expect(cache.get('never')).toBeUndefined();
  });

  it('keeps at most `max` entries, dropping the one set longest ago', () => {
    const cache = new TtlCache<string, number>(held(), 1000, 2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('a', 3); // set again: now the newest
    cache.set('c', 4);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([3, undefined, 4]);
    expect(cache.size).toBe(2);
  });

  it('forgets at once on delete and clear', () => {
    const cache = new TtlCache<string, number>(held(), 1000);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.delete('a');
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBe(2);
    cache.clear();
    expect(cache.get('b')).toBeUndefined();
  });

  it('loads a miss once, and counts its time to live from the start of the read', async () => {
    const clock = held(5000);
    const cache = new TtlCache<string, string>(clock, 1000);
    let reads = 0;
    const load = () => {
      reads++;
      clock.t += 400; // the read takes a while
      return Promise.resolve('v');
    };
    expect(await cache.getOrLoad('k', load)).toBe('v');
    expect(await cache.getOrLoad('k', load)).toBe('v');
    expect(reads).toBe(1);
    clock.t = 5999;
    expect(cache.get('k')).toBe('v');
    clock.t = 6000;
    expect(await cache.getOrLoad('k', load)).toBe('v');
    expect(reads).toBe(2);
  });

  it('does not keep a load that an invalidation raced, nor one `keep` refuses', async () => {
    const cache = new TtlCache<string, string>(held(), 1000);
    let finish: (value: string) => void = () => {};
    const loading = cache.getOrLoad('k', () => new Promise<string>((resolve) => (finish = resolve)));
    cache.delete('other'); // a write, to any key, while the read runs
    finish('stale');
    expect(await loading).toBe('stale');
    expect(cache.get('k')).toBeUndefined();

    expect(await cache.getOrLoad('k', () => Promise.resolve('refused'), (v) => v !== 'refused')).toBe('refused');
    expect(cache.get('k')).toBeUndefined();
    expect(await cache.getOrLoad('k', () => Promise.resolve('fresh'))).toBe('fresh');
    expect(cache.get('k')).toBe('fresh');
  });

  it('keeps nothing when the load fails', async () => {
    const cache = new TtlCache<string, string>(held(), 1000);
    await expect(cache.getOrLoad('k', () => Promise.reject(new Error('store down')))).rejects.toThrow('store down');
    expect(cache.get('k')).toBeUndefined();
  });
});
