/**
 * Per-destination sending limits, in this process: at most `concurrency` requests at once, and
 * at most `ratePerSecond` started per second (a token bucket holding one second's worth).
 * Several worker processes each apply their own.
 *
 * It paces real requests with real timers, so its time is the timers' (a monotonic clock), not
 * the hub's `Clock`: tests hold that still, which would starve the bucket, and a wall clock set
 * back would empty it. Tests control both with fake timers.
 */
export class DestinationLimiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private tokens: number;
  private refilledAt = performance.now();

  constructor(
    private readonly concurrency: number,
    private readonly ratePerSecond: number,
  ) {
    this.tokens = ratePerSecond;
  }

  /** Takes a slot now if one is free (true), without waiting: the common case costs no promise. */
  tryAcquire(): boolean {
    if (this.active >= this.concurrency || this.waiting.length > 0 || !this.takeToken()) return false;
    this.active++;
    return true;
  }

  async acquire(): Promise<void> {
    // A waiter is handed its slot by `release`, so nobody can take it in between.
    if (this.active >= this.concurrency || this.waiting.length > 0) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    while (!this.takeToken()) await new Promise((resolve) => setTimeout(resolve, Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000)));
  }

  /** Requests waiting for a slot. */
  get waitingCount(): number {
    return this.waiting.length;
  }

  release(): void {
    const next = this.waiting.shift();
    if (next === undefined) this.active--;
    else next();
  }

  private takeToken(): boolean {
    if (this.ratePerSecond === Number.MAX_SAFE_INTEGER) return true;
    const now = performance.now();
    this.tokens = Math.min(this.ratePerSecond, this.tokens + ((now - this.refilledAt) / 1000) * this.ratePerSecond);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
