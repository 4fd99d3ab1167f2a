import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open.js';
import { deliveriesDal } from '../../src/features/delivery/deliveries-dal.js';
import { PROCEDURES_MODULE, procedures } from '../../src/features/procedures.js';
import { newId } from '../../src/lib/ids.js';
import { STORE_KINDS, openTestStore, type TestDatabase, type TestStore as Store } from '../helpers/stores.js';
import { T0, event } from '../helpers/store-fixtures.js';

describe.each(STORE_KINDS)('store delivery claims on %s', (kind) => {
  let store: Store;
  let db: TestDatabase;

  const destination = (id: string) =>
    store.createDestination({ id, name: id, config: {}, secretsCiphertext: null, enabled: true, pausedAt: null, pauseReason: null, consecutiveFailures: 0, createdAt: T0, updatedAt: T0 });

  async function enqueue(destinationId: string, n: number): Promise<string[]> {
    const ids = Array.from({ length: n }, () => newId());
    for (const id of ids) {
      await store.recordEvent({ event: event({ source: 'platform', externalId: newId() }), requires: {}, credit: null, deliveries: [{ id, destinationId }] });
    }
    return ids;
  }

  const attempt = (n: number, status: number | null) => ({
    id: newId(),
    attempt: n,
    startedAt: T0 + 10,
    url: 'https://p.example/',
    method: 'GET',
    requestHeaders: { 'idempotency-key': 'x' },
    status,
    latencyMs: 12,
    responseExcerpt: status === null ? null : 'ok',
    error: status === null ? 'timeout' : null,
  });

  beforeEach(async () => {
    ({ store, db } = await openTestStore(kind));
    await destination('d1');
  });

  afterEach(async () => {
    await store.close();
    await db.cleanup();
  });

  it('leases due deliveries once, and again when the lease has expired', async () => {
    const ids = await enqueue('d1', 3);
    const claimed = await store.claimDueDeliveries(T0, 10, 30_000);
    expect(claimed.map((d) => d.id).sort()).toEqual([...ids].sort());
    expect(claimed.every((d) => d.state === 'delivering')).toBe(true);
    // Each comes with its event, read in the same call.
    expect(claimed.every((d) => d.event !== null && d.event.id === d.eventId && d.event.source === 'platform')).toBe(true);
    expect(await store.claimDueDeliveries(T0 + 29_999, 10, 30_000)).toEqual([]);
    // Expired leases are looked for only when asked (a worker asks about once a second).
    expect(await store.claimDueDeliveries(T0 + 30_000, 10, 30_000, { expired: false })).toEqual([]);
    expect(await store.claimDueDeliveries(T0 + 30_000, 10, 30_000)).toHaveLength(3);
  });

  it('hands out each claimed delivery and its event exactly as the store reads them', async () => {
    // Every column of the event holds its own value, so a column read into the wrong field shows.
    const full = event({
      source: 'platform',
      type: 'deposit',
      externalId: newId(),
      userId: 'u-claim',
      offerId: 'o-claim',
      appPid: 'app-claim',
      level: 7,
      amountMicros: 2_500_000,
      currency: 'EUR',
      clickId: 'c-claim',
      partner: 'p-claim',
      partnerClickId: 'pc-claim',
      metadata: { data: { note: 'x' } },
      raw: { method: 'POST', path: '/api/events', query: { a: '1' }, headers: { 'content-type': 'application/json' }, ip: '198.51.100.7', body: '{"b":2}', bodyTruncated: false },
    });
    const id = newId();
    await store.recordEvent({ event: full, requires: {}, credit: null, deliveries: [{ id, destinationId: 'd1' }] });
    const [claimed] = await store.claimDueDeliveries(T0 + 5, 10, 30_000);
    const { event: claimedEvent, destinationUpdatedAt, ...delivery } = claimed!;
    expect(destinationUpdatedAt).toBe(T0);
    expect(delivery).toEqual((await store.listDeliveriesOfEvent(full.id))[0]);
    expect(delivery).toMatchObject({ id, state: 'delivering', attempts: 0, updatedAt: T0 + 5 });
    expect(claimedEvent).toEqual(await store.getEvent(full.id));
    expect(claimedEvent).toMatchObject({ userId: 'u-claim', level: 7, amountMicros: 2_500_000, partnerClickId: 'pc-claim', metadata: { data: { note: 'x' } } });
  });

  it("hands each claimed delivery its destination's updatedAt as it is at the claim, which every change moves forward", async () => {
    const [first] = await enqueue('d1', 1);
    expect((await store.claimDueDeliveries(T0, 10, 30_000)).map((d) => [d.id, d.destinationUpdatedAt])).toEqual([[first, T0]]);
    // Changes in the same millisecond as the last (or from a process whose clock lags) move it all the same.
    expect(await store.updateDestination('d1', { secretsCiphertext: 'v1.rotated' }, T0)).toMatchObject({ updatedAt: T0 + 1 });
    const [second] = await enqueue('d1', 1);
    expect((await store.claimDueDeliveries(T0, 10, 30_000)).map((d) => [d.id, d.destinationUpdatedAt])).toEqual([[second, T0 + 1]]);
    expect(await store.pauseDestination('d1', 'by hand', T0 - 5)).toMatchObject({ updatedAt: T0 + 2 });
    expect(await store.resumeDestination('d1', T0 + 2)).toMatchObject({ updatedAt: T0 + 3 });
    expect(await store.updateDestination('d1', { name: 'later' }, T0 + 100)).toMatchObject({ updatedAt: T0 + 100 });
    const [third] = await enqueue('d1', 1);
    expect((await store.claimDueDeliveries(T0 + 100, 10, 30_000)).map((d) => [d.id, d.destinationUpdatedAt])).toEqual([[third, T0 + 100]]);
  });

  it('records an attempt and schedules, succeeds or fails the delivery', async () => {
    const [first, second] = await enqueue('d1', 2);
    await store.claimDueDeliveries(T0, 10, 30_000);
    const base = { destinationId: 'd1', pauseAfterFailures: 10, pauseNow: null, now: T0 + 20 };
    await store.completeAttempts([
      { ...base, deliveryId: first!, attempt: attempt(1, 500), next: { state: 'pending', at: T0 + 60_000 }, failed: true },
      { ...base, deliveryId: second!, attempt: attempt(1, 200), next: { state: 'succeeded' }, failed: false },
    ]);
    expect((await store.listAttempts(first!)).map((a) => a.status)).toEqual([500]);
    expect((await store.listAttempts(second!)).map((a) => a.status)).toEqual([200]);
    const [firstEvent] = (await store.listEvents({ limit: 10 })).items.slice(-1);
    expect(await store.listDeliveriesOfEvent(firstEvent!.id)).toEqual([expect.objectContaining({ id: first, state: 'pending', attempts: 1, nextAttemptAt: T0 + 60_000, lastStatus: 500 })]);
    expect(await store.claimDueDeliveries(T0 + 59_999, 10, 30_000)).toEqual([]);
    expect((await store.claimDueDeliveries(T0 + 60_000, 10, 30_000)).map((d) => d.id)).toEqual([first]);
    expect((await store.getDestination('d1'))!.consecutiveFailures).toBe(0);
  });

  it('restarts the failure counts of destinations whose attempts in a batch all succeeded', async () => {
    // PostgreSQL writes such a batch (nothing to count) as one statement.
    await destination('d2');
    const [failing, laterOne] = await enqueue('d1', 2);
    const [other, untouched] = await enqueue('d2', 2);
    await store.claimDueDeliveries(T0, 10, 30_000);
    const base = { pauseAfterFailures: 10, pauseNow: null, now: T0 + 20 };
    await store.completeAttempts([
      { ...base, destinationId: 'd1', deliveryId: failing!, attempt: attempt(1, 500), next: { state: 'pending', at: T0 + 60_000 }, failed: true },
      { ...base, destinationId: 'd2', deliveryId: untouched!, attempt: attempt(1, 500), next: { state: 'pending', at: T0 + 60_000 }, failed: true },
    ]);
    expect([(await store.getDestination('d1'))!.consecutiveFailures, (await store.getDestination('d2'))!.consecutiveFailures]).toEqual([1, 1]);
    await store.completeAttempts([
      { ...base, destinationId: 'd1', deliveryId: laterOne!, attempt: attempt(1, 200), next: { state: 'succeeded' }, failed: false },
      { ...base, destinationId: 'd2', deliveryId: other!, attempt: attempt(1, 204), next: { state: 'succeeded' }, failed: false },
    ]);
    expect([(await store.getDestination('d1'))!.consecutiveFailures, (await store.getDestination('d2'))!.consecutiveFailures]).toEqual([0, 0]);
    expect((await store.listAttempts(laterOne!)).map((a) => a.status)).toEqual([200]);
    expect((await store.listAttempts(other!)).map((a) => a.status)).toEqual([204]);
    const states = Object.fromEntries((await store.listDeliveries({ limit: 10 })).items.map((d) => [d.id, [d.state, d.attempts, d.lastStatus]]));
    expect(states).toEqual({ [failing!]: ['pending', 1, 500], [laterOne!]: ['succeeded', 1, 200], [other!]: ['succeeded', 1, 204], [untouched!]: ['pending', 1, 500] });
  });

  /** A 503 answered to one delivery of a destination that pauses after `pauseAfterFailures`. */
  const failedAttempt = (id: string, destinationId: string, pauseAfterFailures: number, pauseNow: string | null = null) =>
    store.completeAttempts([{ deliveryId: id, destinationId, attempt: attempt(1, 503), next: { state: 'pending', at: T0 }, failed: true, pauseAfterFailures, pauseNow, now: T0 + 5 }]);

  it('pauses a destination after N consecutive failures, or at once on 410, and claims nothing of it', async () => {
    await destination('d2');
    const ids = await enqueue('d2', 3);
    await store.claimDueDeliveries(T0, 10, 30_000);
    const fail = (id: string) => failedAttempt(id, 'd2', 2);
    await fail(ids[0]!);
    expect((await store.getDestination('d2'))!.pausedAt).toBeNull();
    await fail(ids[1]!);
    expect(await store.getDestination('d2')).toMatchObject({ pausedAt: T0 + 5, pauseReason: '2 consecutive failed attempts', consecutiveFailures: 2 });
    expect(await store.claimDueDeliveries(T0 + 100_000, 10, 30_000)).toEqual([]);

    await destination('d3');
    const [gone] = await enqueue('d3', 1);
    await store.claimDueDeliveries(T0, 10, 30_000);
    await store.completeAttempts([{ deliveryId: gone!, destinationId: 'd3', attempt: attempt(1, 410), next: { state: 'pending', at: T0 }, failed: true, pauseAfterFailures: 100, pauseNow: '410 Gone', now: T0 + 7 }]);
    expect(await store.getDestination('d3')).toMatchObject({ pausedAt: T0 + 7, pauseReason: '410 Gone' });
  });

  it('never pauses for failures a destination whose pauseAfterFailures is 0, but still on 410', async () => {
    await destination('d4');
    const ids = await enqueue('d4', 6);
    await store.claimDueDeliveries(T0, 10, 30_000);
    const fail = (id: string, pauseNow: string | null = null) => failedAttempt(id, 'd4', 0, pauseNow);
    // One batch of several failures, then failures one by one: both ways of counting.
    await store.completeAttempts(
      ids.slice(0, 3).map((id) => ({ deliveryId: id, destinationId: 'd4', attempt: attempt(1, 500), next: { state: 'pending', at: T0 } as const, failed: true, pauseAfterFailures: 0, pauseNow: null, now: T0 + 5 })),
    );
    await fail(ids[3]!);
    await fail(ids[4]!);
    expect(await store.getDestination('d4')).toMatchObject({ pausedAt: null, consecutiveFailures: 5 });
    await fail(ids[5]!, '410 Gone');
    expect(await store.getDestination('d4')).toMatchObject({ pausedAt: T0 + 5, pauseReason: '410 Gone' });
  });

  it('folds a batch of attempts per destination in order: a success restarts the failure count', async () => {
    await destination('d4');
    await destination('d5');
    const four = await enqueue('d4', 4);
    const five = await enqueue('d5', 4);
    await store.claimDueDeliveries(T0, 20, 30_000);
    const result = (id: string, dest: string, status: number, pauseAfterFailures: number) => ({
      deliveryId: id,
      destinationId: dest,
      attempt: attempt(1, status),
      next: status === 200 ? ({ state: 'succeeded' } as const) : ({ state: 'pending', at: T0 + 1000 } as const),
      failed: status !== 200,
      pauseAfterFailures,
      pauseNow: null,
      now: T0 + 9,
    });
    // d4: fail, fail, ok, fail → one failure counts, threshold 3 never reached.
    // d5: ok, fail, fail, fail → three in a row after the success reach threshold 3.
    await store.completeAttempts([
      result(four[0]!, 'd4', 500, 3),
      result(five[0]!, 'd5', 200, 3),
      result(four[1]!, 'd4', 500, 3),
      result(five[1]!, 'd5', 500, 3),
      result(four[2]!, 'd4', 200, 3),
      result(five[2]!, 'd5', 500, 3),
      result(four[3]!, 'd4', 500, 3),
      result(five[3]!, 'd5', 500, 3),
    ]);
    expect(await store.getDestination('d4')).toMatchObject({ consecutiveFailures: 1, pausedAt: null });
    expect(await store.getDestination('d5')).toMatchObject({ consecutiveFailures: 3, pausedAt: T0 + 9, pauseReason: '3 consecutive failed attempts' });
  });

  it.runIf(kind === 'postgres')('tells other processes when deliveries are queued (LISTEN/NOTIFY)', async () => {
    const otherDb = await openDatabase(db.config, { procedures, proceduresModule: PROCEDURES_MODULE, ...(db.schema === undefined ? {} : { schema: db.schema }) });
    const other = deliveriesDal(otherDb);
    try {
      let told = 0;
      const stop = other.onDeliveriesQueued(() => told++);
      const heard = async (count: number) => {
        const deadline = Date.now() + 20_000;
        while (told < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        return told;
      };
      // Once its connection listens, it tells at once: for what was queued before.
      expect(await heard(1)).toBe(1);
      await enqueue('d1', 1);
      expect(await heard(2)).toBe(2);
      // Nothing queued, nothing told.
      const quiet = () => ({ event: event({ source: 'platform', externalId: newId() }), requires: {}, credit: null });
      await store.recordEvent(quiet());
      // A batch is one statement here, which tells the workers itself if it queued any.
      await store.recordEvents([quiet(), quiet()]);
      // Notifications arrive in commit order: one for the writes above would come before this one's.
      await store.recordEvents([quiet(), { ...quiet(), deliveries: [{ id: newId(), destinationId: 'd1' }] }]);
      expect(await heard(3)).toBe(3);
      await enqueue('d1', 1);
      expect(await heard(4)).toBe(4);
      stop();
    } finally {
      await otherDb.close();
    }
  });

  it("parks a paused or disabled destination's waiting deliveries out of the claims' way, and brings them back", async () => {
    await destination('d2');
    const due = async (destinationId: string) =>
      Object.fromEntries((await store.listDeliveries({ destinationId, limit: 50 })).items.map((d) => [d.id, d.nextAttemptAt]));
    const [before] = await enqueue('d1', 1);
    await store.pauseDestination('d1', 'by hand', T0 + 1);
    const [during] = await enqueue('d1', 1); // queued while paused: parked at once
    expect(await due('d1')).toEqual({ [before!]: null, [during!]: null });
    const [other] = await enqueue('d2', 1);
    expect((await store.claimDueDeliveries(T0 + 5, 10, 30_000)).map((d) => d.id)).toEqual([other]);

    await store.resumeDestination('d1', T0 + 7);
    expect(await due('d1')).toEqual({ [before!]: T0 + 7, [during!]: T0 + 7 });

    // Disabled works the same way; enabling a destination that is still paused keeps them parked.
    await store.updateDestination('d1', { enabled: false }, T0 + 8);
    expect(Object.values(await due('d1'))).toEqual([null, null]);
    await store.pauseDestination('d1', 'by hand', T0 + 9);
    await store.updateDestination('d1', { enabled: true }, T0 + 10);
    expect(Object.values(await due('d1'))).toEqual([null, null]);
    await store.resumeDestination('d1', T0 + 11);
    expect(Object.values(await due('d1'))).toEqual([T0 + 11, T0 + 11]);
    expect((await store.claimDueDeliveries(T0 + 11, 10, 30_000)).map((d) => d.id).sort()).toEqual([before, during].sort());
  });

  it('leaves the destinations a worker asks it to skip', async () => {
    await destination('d2');
    const [first] = await enqueue('d1', 1);
    const [second] = await enqueue('d2', 1);
    expect((await store.claimDueDeliveries(T0, 10, 30_000, { skipDestinations: ['d1'] })).map((d) => d.id)).toEqual([second]);
    expect((await store.claimDueDeliveries(T0, 10, 30_000)).map((d) => d.id)).toEqual([first]);
  });

  it('parks the waiting deliveries of a destination that its failures just paused', async () => {
    const [sent, waiting] = await enqueue('d1', 2);
    await store.claimDueDeliveries(T0, 1, 30_000);
    await store.completeAttempts([
      { deliveryId: sent!, destinationId: 'd1', attempt: attempt(1, 410), next: { state: 'pending', at: T0 + 20 }, failed: true, pauseAfterFailures: 10, pauseNow: '410 Gone', now: T0 + 20 },
    ]);
    expect(await store.getDestination('d1')).toMatchObject({ pausedAt: T0 + 20 });
    const items = (await store.listDeliveries({ destinationId: 'd1', limit: 10 })).items;
    expect(items.map((d) => [d.id, d.nextAttemptAt]).sort()).toEqual([[sent, null], [waiting, null]].sort());
  });

  it('tells its listeners when a resume or a replay makes deliveries due', async () => {
    const [queued] = await enqueue('d1', 1);
    let told = 0;
    const stop = store.onDeliveriesQueued(() => told++);
    const toldAgain = async (count: number) => {
      const deadline = Date.now() + 20_000;
      while (told < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      return told;
    };
    try {
      // PostgreSQL tells once its LISTEN connection is up (for what was queued before).
      if (kind === 'postgres') expect(await toldAgain(1)).toBe(1);
      told = 0;
      await store.pauseDestination('d1', 'by hand', T0);
      await store.resumeDestination('d1', T0);
      expect(await toldAgain(1)).toBe(1);
      await store.replayDeliveries({ ids: [queued!] }, T0);
      expect(await toldAgain(2)).toBe(2);
      // Nothing became due, nothing told: a notification for these would come before the next one's.
      await store.resumeDestination('missing', T0);
      await store.replayDeliveries({ ids: ['missing'] }, T0);
      // Recording deliveries tells them too (PostgreSQL at commit, SQLite as they are written).
      await enqueue('d1', 1);
      expect(await toldAgain(3)).toBe(3);
      await store.replayDeliveries({ ids: [queued!] }, T0);
      expect(await toldAgain(4)).toBe(4);
    } finally {
      stop();
    }
  });

  it('never gives the same delivery to two claimers at once', async () => {
    await enqueue('d1', 20);
    const [a, b] = await Promise.all([store.claimDueDeliveries(T0, 12, 30_000), store.claimDueDeliveries(T0, 12, 30_000)]);
    const all = [...a, ...b].map((d) => d.id);
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(20);
  });
});
