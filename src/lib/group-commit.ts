/** One item's own outcome in a flush that carried many. */
export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

/**
 * Writes a batch. Throwing (or rejecting) fails every item in it; otherwise it answers each
 * item's own outcome, in order. A flush whose items carry no result may answer nothing: each
 * item then succeeded.
 */
export type Flush<T, R> = (items: T[]) => Promise<void extends R ? void | readonly Outcome<R>[] : readonly Outcome<R>[]>;

export interface GroupCommitOptions {
  /** The most items one flush carries: one huge burst must not make one huge transaction. */
  maxBatch: number;
  /**
   * Flushes under way at once (default 1). With 2, one batch waits at the writer while the
   * other commits, so the writer starts the next commit the moment one ends.
   */
  maxInFlight?: number;
  /**
   * Every flush first waits this long for company, those that follow a flush too (default 0:
   * none). For writes nobody waits on, fewer and larger batches cost less. A full batch,
   * `idle()` and `close()` end the wait at once.
   */
  delayMs?: number;
  /** What an item added after `close()` is refused with. */
  closedError?: () => unknown;
}

interface Entry<T, R> {
  item: T;
  done: (value: R) => void;
  failed: (error: unknown) => void;
}

/**
 * Group commit: whatever is added while a flush is under way goes together in the next. No
 * timer by default: a lone item is flushed at once (after the rest of this event-loop turn,
 * so that items added in the same turn share it), and under load each flush carries
 * everything that queued behind the previous one. Each item settles when its own flush did.
 *
 * States: idle → waiting (items pending, a flush scheduled) → flushing (1..maxInFlight
 * flushes under way, more items may be pending) → idle; closed: no new items, what was added
 * is flushed without waiting for company.
 */
export class GroupCommit<T, R = void> {
  private pending: Array<Entry<T, R>> = [];
  private inFlight = 0;
  /** The flush to come: at the end of this turn (`immediate`) or after a wait for company. */
  private scheduled: { cancel: () => void; immediate: boolean } | null = null;
  /** Callers of `idle()` (and `close()`): while there are any, nothing waits for company. */
  private hurry = 0;
  private closed = false;
  private quiet: Array<() => void> = [];
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly delayMs: number;
  private readonly closedError: () => unknown;

  constructor(
    private readonly flush: Flush<T, R>,
    options: GroupCommitOptions,
  ) {
    this.maxBatch = options.maxBatch;
    this.maxInFlight = options.maxInFlight ?? 1;
    this.delayMs = options.delayMs ?? 0;
    this.closedError = options.closedError ?? (() => new Error('closed'));
  }

  /** Settles with the item's own outcome, once its flush ended. */
  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => this.push(item, resolve, reject));
  }

  /** `add` without a promise, for hot paths: `failed` hears of a failed write. */
  push(item: T, done: (value: R) => void = noop, failed: (error: unknown) => void = noop): void {
    if (this.closed) {
      failed(this.closedError());
      return;
    }
    this.pending.push({ item, done, failed });
    this.schedule(false);
  }

  /** Items are pending or being flushed. */
  get busy(): boolean {
    return this.pending.length > 0 || this.inFlight > 0;
  }

  /** Resolves once everything added so far (and meanwhile) has been flushed or failed. */
  async idle(): Promise<void> {
    if (!this.busy) return;
    this.hurry++;
    try {
      const quiet = new Promise<void>((resolve) => this.quiet.push(resolve));
      this.schedule(false);
      await quiet;
    } finally {
      this.hurry--;
    }
  }

  /** Refuses new items, and resolves once what was added has been flushed. */
  close(): Promise<void> {
    this.closed = true;
    return this.idle();
  }

  /** `afterFlush`: a flush just ended, so what queued behind it goes now (unless it waits for company). */
  private schedule(afterFlush: boolean): void {
    if (this.pending.length === 0 || this.inFlight >= this.maxInFlight) return;
    const full = this.pending.length >= this.maxBatch;
    if (this.hurry > 0 || (afterFlush && (this.delayMs === 0 || full))) {
      this.scheduled?.cancel();
      this.dispatch();
    } else if (this.delayMs === 0 || full) {
      if (this.scheduled?.immediate === true) return;
      this.scheduled?.cancel();
      const handle = setImmediate(() => this.dispatch());
      this.scheduled = { cancel: () => clearImmediate(handle), immediate: true };
    } else if (this.scheduled === null) {
      const handle = setTimeout(() => this.dispatch(), this.delayMs);
      this.scheduled = { cancel: () => clearTimeout(handle), immediate: false };
    }
  }

  private dispatch(): void {
    this.scheduled = null;
    while (this.inFlight < this.maxInFlight && this.pending.length > 0) {
      const batch = this.pending.length <= this.maxBatch ? this.pending : this.pending.slice(0, this.maxBatch);
      this.pending = batch === this.pending ? [] : this.pending.slice(this.maxBatch);
      this.inFlight++;
      void this.run(batch);
    }
  }

  private async run(batch: Array<Entry<T, R>>): Promise<void> {
    let outcomes: void | readonly Outcome<R>[];
    try {
      outcomes = await this.flush(batch.map((entry) => entry.item));
    } catch (error) {
      outcomes = batch.map(() => ({ ok: false, error }));
    }
    for (const [i, entry] of batch.entries()) {
      const outcome = outcomes === undefined ? { ok: true as const, value: undefined as R } : outcomes[i];
      if (outcome?.ok === true) entry.done(outcome.value);
      else entry.failed(outcome === undefined ? new Error('the flush answered no outcome for this item') : outcome.error);
    }
    this.inFlight--;
    this.schedule(true);
    if (!this.busy) for (const resolve of this.quiet.splice(0)) resolve();
  }
}

function noop(): void {}
