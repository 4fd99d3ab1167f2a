import { describe, expect, it } from 'vitest';
import type { ClaimOptions } from '../store/store.js';
import { DeliveryWorker } from './worker.js';

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
});
