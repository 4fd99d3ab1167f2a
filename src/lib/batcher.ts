/**
 * Group commit for any batched write: whatever is added while one flush runs goes together
 * in the next. No timer: a lone item flushes at once (after the current tick, so items added
 * in the same tick share it), and under load each flush carries everything that queued
 * behind the previous one. Each `add` settles when its own flush did.
 *
 * With `delayMs`, every flush waits that long for company first, the ones that follow a flush
 * too: for writes nobody waits on (a click is answered before it is stored), fewer, larger
 * batches cost less. A full batch or `idle()` ends the wait at once.
 */
export class Batcher<T> {
  private pending: Array<{ item: T; resolve: () => void; reject: (error: unknown) => void }> = [];
  private flushing: Promise<void> | null = null;
  /** Ends a `delayMs` wait early. */
  private release: (() => void) | null = null;
  /** Callers waiting in `idle()`: no new waits for company while there are any. */
  private idleWanted = 0;

  constructor(
    private readonly flush: (items: T[]) => Promise<void>,
    private readonly maxBatch = 256,
    private readonly delayMs = 0,
  ) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => this.push(item, resolve, reject));
  }

  /** `add` without a promise, for hot paths: `failed` hears of a failed flush. */
  push(item: T, flushed: () => void = noop, failed: (error: unknown) => void = noop): void {
    this.pending.push({ item, resolve: flushed, reject: failed });
    if (this.flushing !== null) {
      if (this.pending.length >= this.maxBatch) this.release?.();
      return;
    }
    this.flushing = (this.delayMs === 0 ? Promise.resolve() : this.company()).then(() => this.drain());
  }

  /** Waits `delayMs`, or less if the batch fills up or `idle()` is called. */
  private company(): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.delayMs);
      this.release = () => {
        clearTimeout(timer);
        resolve();
      };
    }).then(() => {
      this.release = null;
    });
  }

  /** Items are waiting or being flushed. */
  get busy(): boolean {
    return this.flushing !== null;
  }

  /** Resolves once everything added so far has been flushed (or failed). */
  async idle(): Promise<void> {
    this.idleWanted++;
    try {
      this.release?.();
      while (this.flushing !== null) await this.flushing;
    } finally {
      this.idleWanted--;
    }
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      try {
        await this.flush(batch.map((entry) => entry.item));
        for (const entry of batch) entry.resolve();
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
      // What came in during the flush waits for company too, unless it already fills a batch.
      if (this.delayMs > 0 && this.pending.length > 0 && this.pending.length < this.maxBatch && this.idleWanted === 0) await this.company();
    }
    this.flushing = null;
  }
}

function noop(): void {}
