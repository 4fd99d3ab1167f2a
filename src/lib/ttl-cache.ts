import type { Clock } from './clock.js';

/**
 * What a service remembers of the store for a short while: entries expire by the injected
 * clock (an entry set at t is used while now < t + ttlMs), at most `max` are kept (the oldest
 * set goes first), and a write this process makes invalidates at once (`delete`, `clear`).
 *
 * Not lru-cache (a transitive dependency only here): its TTL treats a start time of 0 as "no
 * TTL", keeps an entry through the instant it expires, and reads its clock through a timer.
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: V; until: number }>();
  /** Moved by every invalidation: a load that began before one ended is not kept. */
  private generation = 0;

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number,
    private readonly max = 10_000,
  ) {}

  /** The value if it is held and has not expired (it may be null: known not to exist); else undefined. */
  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.until > this.clock.now()) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: K, value: V): void {
    this.put(key, value, this.clock.now());
  }

  /**
   * The held value, or else `load`'s, which is kept (if `keep` allows) unless the cache was
   * invalidated while it ran: a write that raced the read may not be in what it read. Its
   * time to live counts from the start of the read.
   */
  async getOrLoad(key: K, load: () => Promise<V>, keep: (value: V) => boolean = () => true): Promise<V> {
    const held = this.get(key);
    if (held !== undefined) return held;
    const generation = this.generation;
    const since = this.clock.now();
    const value = await load();
    if (generation === this.generation && keep(value)) this.put(key, value, since);
    return value;
  }

  delete(key: K): void {
    this.generation++;
    this.entries.delete(key);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private put(key: K, value: V, since: number): void {
    // Re-inserted, so that Map order stays the order entries were set in.
    this.entries.delete(key);
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value as K);
    this.entries.set(key, { value, until: since + this.ttlMs });
  }
}
