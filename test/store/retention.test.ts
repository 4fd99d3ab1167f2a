import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { newId } from '../../src/lib/ids.js';
import { STORE_KINDS, openTestStore, type TestDatabase, type TestStore as Store } from '../helpers/stores.js';
import { T0, event } from '../helpers/store-fixtures.js';

describe.each(STORE_KINDS)('store retention on %s', (kind) => {
  let store: Store;
  let db: TestDatabase;

  beforeEach(async () => {
    ({ store, db } = await openTestStore(kind));
    await store.createDestination({ id: 'd', name: 'd', config: {}, secretsCiphertext: null, enabled: true, pausedAt: null, pauseReason: null, consecutiveFailures: 0, createdAt: T0, updatedAt: T0 });
  });

  afterEach(async () => {
    await store.close();
    await db.cleanup();
  });

  it('prunes old attempts, finished deliveries, raw bodies and acknowledged feed entries in batches, keeping ledgers and events', async () => {
    const raw = { method: 'GET', path: '/p', query: {}, headers: {}, ip: '1.1.1.1', body: 'x', bodyTruncated: false };
    // A user of a store app: each credit is also an entry of the app's feed.
    await store.createUser({ id: 'u', appId: 'app-1', deviceId: null, createdAt: T0 });
    const old: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = newId();
      old.push(id);
      await store.recordEvent({
        event: event({ source: 'wall', externalId: `old-${i}`, userId: 'u', receivedAt: T0, raw }),
        requires: {},
        credit: { ledgerEntryId: newId(), micros: 10_000_000, kind: 'reward' },
        ensureUser: true,
        deliveries: [{ id, destinationId: 'd' }],
      });
    }
    const recent = newId();
    await store.recordEvent({ event: event({ source: 'wall', externalId: 'new', userId: 'u', receivedAt: T0 + 10 * 86_400_000, raw }), requires: {}, credit: null, deliveries: [{ id: recent, destinationId: 'd' }] });
    await store.claimDueDeliveries(T0 + 20 * 86_400_000, 100, 1000);
    const done = (id: string, at: number) =>
      store.completeAttempts([{
        deliveryId: id,
        destinationId: 'd',
        attempt: { id: newId(), attempt: 1, startedAt: at, url: 'u', method: 'GET', requestHeaders: {}, status: 200, latencyMs: 1, responseExcerpt: 'OK', error: null },
        next: { state: 'succeeded' },
        failed: false,
        pauseAfterFailures: 10,
        pauseNow: null,
        now: at,
      }]);
    for (const id of old.slice(0, 4)) await done(id, T0 + 1000);
    await done(recent, T0 + 10 * 86_400_000);
    // old[4] stays pending: never pruned, however old.
    // The feed serves an entry once every transaction older than it has ended, anywhere on the
    // server (PostgreSQL: another test file's open transaction holds it back for a while).
    await vi.waitFor(async () => expect(await store.readFeed('app-1', 10)).toHaveLength(5), { timeout: 60_000, interval: 100 });
    const feed = await store.readFeed('app-1', 10);
    expect(feed).toHaveLength(5);
    // Four acknowledged long ago, one not yet: that one stays, however old.
    expect(await store.ackFeed({ appPid: 'app-1', at: T0 + 1000, ids: feed.slice(0, 4).map((e) => e.id) })).toEqual({ acknowledged: 4, already: 0, unknown: [] });

    const cutoff = T0 + 5 * 86_400_000;
    let touched = 0;
    let passes = 0;
    for (let n = await store.prune(cutoff, 2); n > 0; n = await store.prune(cutoff, 2)) {
      touched += n;
      passes++;
    }
    expect(passes).toBeGreaterThan(1);
    expect(touched).toBe(4 + 4 + 5 + 4); // attempts, deliveries, raw bodies, acknowledged feed entries
    expect((await store.readFeed('app-1', 10)).map((e) => e.id)).toEqual([feed[4]!.id]);
    const events = (await store.listEvents({ limit: 100, source: 'wall' })).items;
    expect(events).toHaveLength(6);
    expect(events.filter((e) => e.raw === null)).toHaveLength(5);
    expect((await store.getUser('u'))!.coins).toBe(50);
    expect((await store.listLedger('u', { limit: 100 })).items).toHaveLength(5);
    expect(await store.getDelivery(old[0]!)).toBeNull();
    expect(await store.getDelivery(old[4]!)).toMatchObject({ state: 'delivering' });
    expect(await store.listAttempts(recent)).toHaveLength(1);
  }, 90_000);
});
