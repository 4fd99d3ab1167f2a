/**
 * Per-destination sending limits, in this process: at most `concurrency` requests at once, and
 * at most `ratePerSecond` started per second (a token bucket holding one second's worth).
 * Several worker processes each apply their own.
 */
export class DestinationLimiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private tokens: number;
  private refilledAt = Date.now();

  constructor(
    private readonly concurrency: number,
    private readonly ratePerSecond: number,
  ) {
    this.tokens = ratePerSecond;
  }

  async acquire(): Promise<void> {
    if (this.active >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    for (;;) {
      const now = Date.now();
      this.tokens = Math.min(this.ratePerSecond, this.tokens + ((now - this.refilledAt) / 1000) * this.ratePerSecond);
      this.refilledAt = now;
      if (this.tokens >= 1) break;
      await new Promise((resolve) => setTimeout(resolve, Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000)));
    }
    this.tokens -= 1;
  }

  release(): void {
    this.active--;
    this.waiting.shift()?.();
  }
}
