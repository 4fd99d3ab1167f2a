import { describe, expect, it } from 'vitest';
import type { SendResult } from './sender.js';
import { testEvent } from '../../../test/helpers/events.js';
import { CONFIG_DEFAULTS } from '../destinations/destinations-service.js';
import { DeliveryWorker } from './worker.js';
import type { DestinationRecord } from '../destinations/destinations-types.js';
import type { AttemptResult, ClaimedDelivery, ClaimOptions } from './delivery-types.js';

const destination = (id: string, maxConcurrency?: number): DestinationRecord => ({
  id,
  name: id,
  config: { ...CONFIG_DEFAULTS, url: `http://partner.example/${id}?u={user_id}`, ...(maxConcurrency === undefined ? {} : { maxConcurrency }) },
  secretsCiphertext: null,
  enabled: true,
  pausedAt: null,
  pauseReason: null,
  consecutiveFailures: 0,
  createdAt: 0,
  updatedAt: 0,
});

const delivery = (id: string, destinationId: string, now: number, destinationUpdatedAt = 0): ClaimedDelivery => ({
  id,
  eventId: `e-${id}`,
  destinationId,
  state: 'delivering',
  attempts: 0,
  roundStart: 0,
  nextAttemptAt: null,
  lastStatus: null,
  lastError: null,
  createdAt: now,
  updatedAt: now,
  destinationUpdatedAt,
  event: {
    ...testEvent({ id: `e-${id}`, source: 'platform', type: 'registration', externalId: id, userId: 'u1', receivedAt: now }),
    outcome: 'accepted',
    reason: null,
    detail: null,
    duplicateOf: null,
    coins: 0,
    rewardMicros: null,
    partner: null,
    linkId: null,
    partnerClickId: null,
    flags: [],
    review: null,
  },
});

describe('DeliveryWorker claims', () => {
  it('looks for expired leases on its first claim and then about once a second, not on every claim', async () => {
    let now = 10_000;
    const asked: boolean[] = [];
    const worker = new DeliveryWorker({
      store: {
        claimDueDeliveries: (_now: number, _limit: number, _lease: number, options?: ClaimOptions) => {
          asked.push(options?.expired !== false);
          return Promise.resolve([]);
        },
        completeAttempts: () => Promise.resolve([]),
        getDestination: () => Promise.resolve(null),
      },
      destinations: { secrets: () => ({}) },
      sender: { send: () => Promise.reject(new Error('not used')), close: () => Promise.resolve() },
      clock: { now: () => now },
    });
    for (const at of [10_000, 10_400, 10_999, 11_000, 11_500, 12_100]) {
      now = at;
      await worker.runOnce();
    }
    expect(asked).toEqual([true, false, false, true, false, true]);
  });

  it('leaves a destination with a batch of deliveries waiting for its limit to the store, and claims the others', async () => {
    const now = 1_000;
    const claims: Array<readonly string[]> = [];
    const pending: Array<(result: SendResult) => void> = [];
    const destinations = new Map([
      ['slow', destination('slow', 2)],
      ['fast', destination('fast')],
    ]);
    let first = true;
    const worker = new DeliveryWorker({
      store: {
        claimDueDeliveries: (_now: number, _limit: number, _lease: number, options?: ClaimOptions) => {
          claims.push(options?.skipDestinations ?? []);
          if (!first) return Promise.resolve([]);
          first = false;
          // Two at once for "slow" (its limit), two more wait for its limiter: a batch (of 2) waiting.
          return Promise.resolve(['s1', 's2', 's3', 's4'].map((id) => delivery(id, 'slow', now)));
        },
        completeAttempts: () => Promise.resolve([]),
        getDestination: (id: string) => Promise.resolve(destinations.get(id) ?? null),
      },
      destinations: { secrets: () => ({}) },
      // The partner does not answer until the test lets it.
      sender: { send: () => new Promise<SendResult>((resolve) => pending.push(resolve)), close: () => Promise.resolve() },
      clock: { now: () => now },
      pollMs: 5,
      batchSize: 2,
    });
    worker.start();
    const deadline = Date.now() + 20_000;
    while ((claims.length < 3 || pending.length < 2) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(claims[0]).toEqual([]);
    expect(claims.at(-1)).toEqual(['slow']);
    // Once it answers, its limiter drains and its deliveries are claimed again.
    while (pending.length > 0) pending.shift()!({ ok: true, status: 200, retryAfter: undefined, excerpt: 'OK', latencyMs: 1 });
    const asked = claims.length;
    // The two that waited for its limiter are sent, and the claims go on.
    while ((claims.length < asked + 2 || pending.length < 2) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(pending).toHaveLength(2);
    while (pending.length > 0) pending.shift()!({ ok: true, status: 200, retryAfter: undefined, excerpt: 'OK', latencyMs: 1 });
    await worker.stop();
    expect(claims.at(-1)).toEqual([]);
  });
});

describe('DeliveryWorker destinations', () => {
  const ok: SendResult = { ok: true, status: 200, retryAfter: undefined, excerpt: 'OK', latencyMs: 1 };

  it('reads a destination once while claims show it unchanged, and again as soon as a claim shows it changed', async () => {
    const now = 1_000;
    let version = 5;
    let batch: ClaimedDelivery[] = [];
    const reads: string[] = [];
    const opened: string[] = [];
    const worker = new DeliveryWorker({
      store: {
        claimDueDeliveries: () => Promise.resolve(batch.splice(0)),
        completeAttempts: () => Promise.resolve([]),
        getDestination: (id: string) => {
          reads.push(id);
          return Promise.resolve({ ...destination(id), updatedAt: version });
        },
      },
      destinations: {
        secrets: (d: DestinationRecord) => {
          opened.push(`${d.id}@${d.updatedAt}`);
          return {};
        },
      },
      sender: { send: () => Promise.resolve(ok), close: () => Promise.resolve() },
      clock: { now: () => now },
    });
    batch = ['a1', 'a2', 'a3'].map((id) => delivery(id, 'a', now, version));
    expect(await worker.runOnce()).toBe(3);
    batch = [delivery('a4', 'a', now, version)];
    await worker.runOnce();
    // Deliveries claimed together share one read, and later claims reuse it.
    expect(reads).toEqual(['a']);
    // Changed (a rotated secret, by this process or another): the very next claim shows it.
    version = 6;
    batch = [delivery('a5', 'a', now, version), delivery('a6', 'a', now, version)];
    await worker.runOnce();
    expect(reads).toEqual(['a', 'a']);
    expect(opened).toEqual(['a@5', 'a@6']);
  });

  it("fails the deliveries of a destination whose secrets it cannot open, with the reason, and says so once", async () => {
    const now = 1_000;
    let batch = ['k1', 'k2', 'k3'].map((id) => delivery(id, 'sealed-elsewhere', now));
    const recorded: AttemptResult[] = [];
    const errors: unknown[] = [];
    let sent = 0;
    const worker = new DeliveryWorker({
      store: {
        claimDueDeliveries: () => Promise.resolve(batch.splice(0)),
        completeAttempts: (results: readonly AttemptResult[]) => {
          recorded.push(...results);
          return Promise.resolve([]);
        },
        getDestination: (id: string) => Promise.resolve(destination(id)),
      },
      // As SecretBox.open fails for a value sealed with another key.
      destinations: {
        secrets: () => {
          throw new Error('Unsupported state or unable to authenticate data');
        },
      },
      sender: {
        send: () => {
          sent++;
          return Promise.resolve(ok);
        },
        close: () => Promise.resolve(),
      },
      clock: { now: () => now },
      onError: (error) => errors.push(error),
    });
    expect(await worker.runOnce()).toBe(3);
    batch = [delivery('k4', 'sealed-elsewhere', now)];
    await worker.runOnce();
    expect(sent).toBe(0);
    expect(recorded.map((r) => [r.deliveryId, r.next.state, r.failed, r.attempt.error])).toEqual(
      ['k1', 'k2', 'k3', 'k4'].map((id) => [id, 'failed', true, "the destination's secrets cannot be opened with this process's SECRET_KEY"]),
    );
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toContain("sealed-elsewhere: the destination's secrets cannot be opened with this process's SECRET_KEY");
  });
});
