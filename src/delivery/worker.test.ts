import { describe, expect, it } from 'vitest';
import type { ClaimedDelivery, ClaimOptions, DestinationRecord } from '../store/store.js';
import type { SendResult } from './sender.js';
import { testEvent } from '../../test/helpers/events.js';
import { CONFIG_DEFAULTS } from './destinations.js';
import { DeliveryWorker } from './worker.js';

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

const delivery = (id: string, destinationId: string, now: number): ClaimedDelivery => ({
  id,
  eventId: `e-${id}`,
  destinationId,
  state: 'delivering',
  attempts: 0,
  nextAttemptAt: null,
  lastStatus: null,
  lastError: null,
  createdAt: now,
  updatedAt: now,
  event: {
    ...testEvent({ id: `e-${id}`, source: 'platform', type: 'registration', externalId: id, userId: 'u1', receivedAt: now }),
    outcome: 'accepted',
    reason: null,
    detail: null,
    duplicateOf: null,
    coins: 0,
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
        completeAttempts: () => Promise.resolve(),
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
        completeAttempts: () => Promise.resolve(),
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
    const deadline = Date.now() + 2000;
    while ((claims.length < 3 || pending.length < 2) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(claims[0]).toEqual([]);
    expect(claims.at(-1)).toEqual(['slow']);
    // Once it answers, its limiter drains and its deliveries are claimed again.
    while (pending.length > 0) pending.shift()!({ ok: true, status: 200, retryAfter: undefined, excerpt: 'OK', latencyMs: 1 });
    const asked = claims.length;
    while (claims.length < asked + 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20));
    while (pending.length > 0) pending.shift()!({ ok: true, status: 200, retryAfter: undefined, excerpt: 'OK', latencyMs: 1 });
    await worker.stop();
    expect(claims.at(-1)).toEqual([]);
  });
});
