import type { DestinationConfig } from '../destinations/definition.js';
import { buildRequest, macroValues } from '../destinations/request.js';
import { isSuccess } from '../destinations/retry-policies.js';
import type { Clock } from '../../lib/clock.js';
import { GroupCommit } from '../../lib/group-commit.js';
import { newId } from '../../lib/ids.js';
import type { DestinationService } from '../destinations/destinations-service.js';
import { afterSend, attempt, deliveryRequest, orphaned, outcomeOf, requestSecrets, sampleFacts, sentAttempt, withoutSecrets, type OpenedSecrets } from './attempts.js';
import { fitsInLease } from './lease.js';
import { DestinationLimiter } from './limiter.js';
import type { Sender } from './sender.js';
import type { AttemptRecord, AttemptResult, ClaimedDelivery } from './delivery-types.js';
import type { DestinationRecord } from '../destinations/destinations-types.js';
import type { DeliveriesDal } from './deliveries-dal.js';
import type { DestinationsDal } from '../destinations/destinations-dal.js';
import { endAttemptSpan, failSpan, startAttemptSpan } from './attempt-tracing.js';
import type { Span } from '@opentelemetry/api';

export interface WorkerDeps {
  store: Pick<DeliveriesDal, 'claimDueDeliveries' | 'completeAttempts'> & Pick<DestinationsDal, 'getDestination'>;
  destinations: Pick<DestinationService, 'secrets'>;
  sender: Sender;
  clock: Clock;
  random?: () => number;
  /** How long a claim is held: at least MIN_LEASE_MS (`lease.ts`), or a slow attempt could be sent twice at once. */
  leaseMs?: number;
  /** Deliveries claimed at once; the loop keeps up to three batches claimed and not yet recorded. */
  batchSize?: number;
  /** How often to look for due deliveries when nothing wakes the worker. */
  pollMs?: number;
  onAttempt?: (destinationId: string, outcome: 'succeeded' | 'retry' | 'failed', seconds: number) => void;
  /** An attempt that could not run (the store failed, or a fault in the hub): for the log. */
  onError?: (error: unknown, deliveryId: string) => void;
  /** An attempt the partner did not accept (recorded): for the log, before a partner notices. */
  onAttemptFailed?: (result: AttemptResult) => void;
  /** A destination paused by its failures (or a 410), once, when the pause is recorded. */
  onPaused?: (destinationId: string, reason: string) => void;
}

const EXPIRED_CHECK_MS = 1000;

/** Requests at once to a destination that sets no `maxConcurrency` (per worker process). */
const DEFAULT_CONCURRENCY = 64;

/**
 * The delivery loop: claims due deliveries under a lease, sends each, records the attempt and
 * what follows (success, the next try per the destination's policy, failure, a pause). At
 * least once: a delivery whose worker dies is claimed again when its lease expires, with the
 * same delivery id, so receivers can drop the repeat.
 */
export class DeliveryWorker {
  private running = false;
  private loop: Promise<void> | null = null;
  private signal: (() => void) | null = null;
  private pendingWake = false;
  /** Attempts under way, counted, each calling `settled` once: no promise chain and set entry per delivery. */
  private inFlight = 0;
  private allSettled: (() => void) | null = null;
  private readonly leaseMs: number;
  private readonly batchSize: number;
  private readonly pollMs: number;
  private readonly random: () => number;
  private expiredCheckedAt = Number.NEGATIVE_INFINITY;
  private readonly limiters = new Map<string, { key: string; limiter: DestinationLimiter }>();
  /**
   * Destinations read and their secrets opened, each kept while claims show it unchanged (its
   * `updatedAt`): not one read and decryption per delivery, and a change (a rotated signing
   * secret) in force for every delivery claimed after it, whichever process made it.
   */
  private readonly destinationCache = new Map<string, { version: number | null; loaded: Promise<LoadedDestination> }>();
  /** Finished attempts are recorded together: one transaction for all that finish while the last one commits. */
  private readonly completions: GroupCommit<AttemptResult>;

  constructor(private readonly deps: WorkerDeps) {
    this.leaseMs = deps.leaseMs ?? 90_000;
    this.batchSize = deps.batchSize ?? 256;
    this.pollMs = deps.pollMs ?? 500;
    this.random = deps.random ?? Math.random;
    this.completions = new GroupCommit(async (results) => {
      const paused = await deps.store.completeAttempts(results);
      // Counted once recorded, for the whole batch: no callback per attempt.
      const { onAttempt, onAttemptFailed, onPaused } = deps;
      if (onAttempt !== undefined) for (const r of results) onAttempt(r.destinationId, outcomeOf(r), (r.attempt.latencyMs ?? 0) / 1000);
      if (onAttemptFailed !== undefined) for (const r of results) if (r.next.state !== 'succeeded') onAttemptFailed(r);
      if (onPaused !== undefined) for (const p of paused) onPaused(p.destinationId, p.reason);
    }, { maxBatch: 512 });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** New deliveries were committed: look now rather than at the next poll. */
  wake(): void {
    this.pendingWake = true;
    this.signal?.();
  }

  /** Stops claiming, and waits for the attempts under way to be recorded. */
  async stop(): Promise<void> {
    this.running = false;
    this.signal?.();
    await this.loop;
  }

  /** One pass: claim what is due and deliver it. Returns how many were attempted. */
  async runOnce(): Promise<number> {
    const claimed = await this.claim();
    await Promise.all(claimed.map((delivery) => this.deliver(delivery)));
    await this.completions.idle();
    return claimed.length;
  }

  /** Expired leases (a worker died) are rare: looked for about once a second, not on every claim. */
  private claim(): Promise<ClaimedDelivery[]> {
    const now = this.deps.clock.now();
    const expired = now - this.expiredCheckedAt >= EXPIRED_CHECK_MS || now < this.expiredCheckedAt;
    if (expired) this.expiredCheckedAt = now;
    // A slow destination must not fill every slot: while a batch of its deliveries waits for
    // its limiter, claims leave its others in the store and take other destinations'. (A
    // smaller threshold starved a fast destination's pipeline between claims.)
    const skipDestinations = [...this.limiters].filter(([, { limiter }]) => limiter.waitingCount >= this.batchSize).map(([id]) => id);
    return this.deps.store.claimDueDeliveries(now, this.batchSize, this.leaseMs, skipDestinations.length === 0 ? { expired } : { expired, skipDestinations });
  }

  /**
   * Pipelined: the next batch is claimed while two are still being sent, so a claim's round
   * trip through the store (queued behind the attempts' commits) never leaves the sending
   * idle, and the receiver never waits for a batch's slowest request or its write.
   */
  private async run(): Promise<void> {
    while (this.running) {
      if (this.inFlight > 2 * this.batchSize) {
        await this.nextSignal(null);
        continue;
      }
      let claimed: ClaimedDelivery[] = [];
      try {
        claimed = await this.claim();
      } catch {
        // The store is unreachable: try again at the next poll.
      }
      for (const delivery of claimed) this.track(delivery);
      if (claimed.length >= this.batchSize || !this.running) continue;
      if (this.pendingWake) {
        this.pendingWake = false;
        continue;
      }
      await this.nextSignal(this.pollMs);
      this.pendingWake = false;
    }
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.allSettled = resolve));
    await this.completions.idle();
  }

  /**
   * Sends a claimed delivery in the background. If the attempt fails outright (its destination
   * could not be read: the store failed), its lease runs out and it is sent again.
   */
  private track(delivery: ClaimedDelivery): void {
    this.inFlight++;
    this.deliver(delivery).then(this.settled, (error: unknown) => {
      try {
        this.deps.onError?.(error, delivery.id);
      } finally {
        this.settled();
      }
    });
  }

  /** An attempt ended: room for more claims, and a stop may be waiting for the last one. */
  private readonly settled = (): void => {
    this.inFlight--;
    if (this.inFlight <= 2 * this.batchSize) this.signal?.();
    if (this.inFlight === 0) this.allSettled?.();
  };

  /** Waits for a wake-up, a finished attempt, or (if given) the poll interval. */
  private nextSignal(timeoutMs: number | null): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        this.signal = null;
        if (timer !== null) clearTimeout(timer);
        resolve();
      };
      const timer = timeoutMs === null ? null : setTimeout(done, timeoutMs);
      this.signal = done;
    });
  }

  /**
   * The test endpoint: a sample event sent to the destination now, as configured (macros,
   * signing, timeout); answers what the partner answered. Nothing is recorded.
   */
  async test(destination: DestinationRecord): Promise<TestResult> {
    const config = destination.config as DestinationConfig;
    const now = this.deps.clock.now();
    const opened = this.openSecrets(destination);
    if (!opened.ok) return { success: false, request: null, status: null, excerpt: null, error: opened.error, latencyMs: 0 };
    const { secrets } = opened;
    const deliveryId = `test-${newId()}`;
    const sample = sampleFacts(config, now);
    const built = buildRequest(
      config,
      requestSecrets(secrets, now),
      macroValues(sample, deliveryId),
      deliveryId,
      Math.floor(now / 1000),
    );
    if (!built.ok) return { success: false, request: null, status: null, excerpt: null, error: built.error, latencyMs: 0 };
    const { request } = built;
    const result = await this.deps.sender.send(request, { timeoutMs: config.timeoutMs, followRedirects: config.followRedirects });
    const shown = { url: request.url, method: request.method, headers: withoutSecrets(request.headers), body: request.body ?? null };
    return result.ok
      ? { success: isSuccess(config.success, result.status, result.excerpt), request: shown, status: result.status, excerpt: result.excerpt, error: null, latencyMs: result.latencyMs }
      : { success: false, request: shown, status: null, excerpt: null, error: result.error, latencyMs: result.latencyMs };
  }

  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    const { event } = delivery;
    const { destination, secrets } = await this.destination(delivery);
    const attemptNo = delivery.attempts + 1;
    if (event === null || destination === null) {
      const result = orphaned(delivery, this.deps.clock.now(), event === null ? 'the event no longer exists' : 'the destination no longer exists');
      endAttemptSpan(startAttemptSpan(delivery, delivery.destinationId, attemptNo, null), result);
      this.complete(result);
      return;
    }
    const config = destination.config as DestinationConfig;
    const now = this.deps.clock.now();
    let span: Span | null = null;
    // Every result of this delivery has one shape, built in one place.
    const finish = (record: AttemptRecord, next: AttemptResult['next'], failed: boolean, pauseNow: string | null, at: number): void => {
      const result = { deliveryId: delivery.id, destinationId: destination.id, attempt: record, next, failed, pauseAfterFailures: config.pauseAfterFailures, pauseNow, now: at };
      endAttemptSpan(span, result);
      this.complete(result);
    };
    const built = deliveryRequest(config, secrets, event, delivery.id, now, (error) => this.deps.onError?.(error, delivery.id));
    if (!built.ok) {
      // A template that cannot be filled will not fill on a retry either.
      span = startAttemptSpan(delivery, destination.id, attemptNo, null);
      finish(attempt(attemptNo, now, config.url, config.method, {}, null, 0, null, built.error), { state: 'failed' }, true, null, now);
      return;
    }
    const { request } = built;
    const limiter = this.limiter(destination.id, config);
    if (!limiter.tryAcquire()) await limiter.acquire();
    // Whatever held it since the claim (a slow destination read, a limiter's turn, a stalled
    // event loop): if its lease could run out during the request, another worker could claim
    // and send it at the same moment. Leave it; it is claimed again once the lease has expired.
    if (!fitsInLease(this.deps.clock.now(), config.timeoutMs, delivery.updatedAt + this.leaseMs)) {
      limiter.release();
      return;
    }
    // Only now, when it is sent: a delivery left under the lease guard is no attempt.
    span = startAttemptSpan(delivery, destination.id, attemptNo, request);
    let result;
    try {
      result = await this.deps.sender.send(request, { timeoutMs: config.timeoutMs, followRedirects: config.followRedirects });
    } catch (error) {
      // A fault of the hub's (the sender answers every failure of the partner's): the lease runs out, it is sent again.
      if (span !== null) failSpan(span, error);
      throw error;
    } finally {
      limiter.release();
    }
    const finished = this.deps.clock.now();
    const record = sentAttempt(attemptNo, now, request, result);
    const { next, failed, pauseNow } = afterSend(config, attemptNo - delivery.roundStart, result, finished, this.random);
    finish(record, next, failed, pauseNow, finished);
  }

  /**
   * The delivery's destination, read once per change: deliveries claimed together share the
   * read. A read that fails is not kept (the delivery's lease runs out and it is tried again).
   */
  private destination(delivery: ClaimedDelivery): Promise<LoadedDestination> {
    const id = delivery.destinationId;
    const version = delivery.destinationUpdatedAt;
    const cached = this.destinationCache.get(id);
    if (cached !== undefined && cached.version === version) return cached.loaded;
    const loaded = this.deps.store.getDestination(id).then((destination) => {
      if (destination === null) return { destination, secrets: { ok: true, secrets: {} } } as const;
      const secrets = this.openSecrets(destination);
      // Logged once per change of the destination, not once per delivery.
      if (!secrets.ok) this.deps.onError?.(new Error(`destination ${id}: ${secrets.error}`), delivery.id);
      return { destination, secrets };
    });
    const entry = { version, loaded };
    this.destinationCache.set(id, entry);
    loaded.catch(() => {
      if (this.destinationCache.get(id) === entry) this.destinationCache.delete(id);
    });
    return loaded;
  }

  private openSecrets(destination: DestinationRecord): OpenedSecrets {
    try {
      return { ok: true, secrets: this.deps.destinations.secrets(destination) };
    } catch {
      return { ok: false, error: "the destination's secrets cannot be opened with this process's SECRET_KEY" };
    }
  }

  /**
   * The destination's limiter, rebuilt when its limits change. Every destination has one: the
   * deliveries claimed beyond its concurrency wait here, under the lease guard, rather than in
   * the HTTP client's queue where their timeout would run before they were sent.
   */
  private limiter(id: string, config: DestinationConfig): DestinationLimiter {
    const concurrency = config.maxConcurrency ?? DEFAULT_CONCURRENCY;
    const key = `${concurrency}/${config.ratePerSecond}`;
    const current = this.limiters.get(id);
    if (current !== undefined && current.key === key) return current.limiter;
    const limiter = new DestinationLimiter(concurrency, config.ratePerSecond ?? Number.MAX_SAFE_INTEGER);
    this.limiters.set(id, { key, limiter });
    return limiter;
  }

  /**
   * Queues the attempt's record and returns without waiting for it: the delivery keeps its
   * lease until the record commits, so the next sends need not wait for the disk. If the
   * write fails, the lease runs out and the delivery is sent again (at least once).
   */
  private complete(result: AttemptResult): void {
    this.completions.push(result);
  }
}

interface LoadedDestination {
  destination: DestinationRecord | null;
  secrets: OpenedSecrets;
}

export interface TestResult {
  success: boolean;
  request: { url: string; method: string; headers: Record<string, string>; body: string | null } | null;
  status: number | null;
  excerpt: string | null;
  error: string | null;
  latencyMs: number;
}
