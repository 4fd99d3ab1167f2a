import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../src/lib/ids.js';
import type { RecordEventCommand } from '../../src/features/conversions/events-types.js';
import { STORE_KINDS, openTestStore, type TestDatabase, type TestStore as Store } from '../helpers/stores.js';
import { T0, event } from '../helpers/store-fixtures.js';

describe.each(STORE_KINDS)('store outbox on %s', (kind) => {
  let store: Store;
  let db: TestDatabase;

  beforeEach(async () => {
    ({ store, db } = await openTestStore(kind));
    await store.createDestination({
      id: 'dest-1',
      name: 'GG3 partner',
      config: { url: 'https://partner.example/hook?userId={userId}' },
      secretsCiphertext: null,
      enabled: true,
      pausedAt: null,
      pauseReason: null,
      consecutiveFailures: 0,
      createdAt: T0,
      updatedAt: T0,
    });
  });

  afterEach(async () => {
    await store.close();
    await db.cleanup();
  });

  const command = (externalId: string, deliveries: Array<{ id: string; destinationId: string }>): RecordEventCommand => ({
    event: event({ source: 'platform', type: 'registration', externalId, userId: 'p1' }),
    requires: {},
    credit: null,
    ensureUser: true,
    deliveries,
  });

  it('writes a pending delivery with the accepted event, and none for its duplicate', async () => {
    const accepted = await store.recordEvent(command('reg-1', [{ id: 'del-1', destinationId: 'dest-1' }]));
    expect(await store.listDeliveriesOfEvent(accepted.eventId)).toEqual([
      expect.objectContaining({ id: 'del-1', destinationId: 'dest-1', state: 'pending', attempts: 0, nextAttemptAt: T0 }),
    ]);
    const duplicate = await store.recordEvent(command('reg-1', [{ id: 'del-2', destinationId: 'dest-1' }]));
    expect(duplicate.outcome).toBe('duplicate');
    expect(await store.listDeliveriesOfEvent(duplicate.eventId)).toEqual([]);
  });

  it('records the event and its deliveries together or not at all', async () => {
    // A delivery that cannot be written (its id is taken) fails the whole recording.
    expect(await store.recordEvent(command('reg-taken', [{ id: 'del-taken', destinationId: 'dest-1' }]))).toMatchObject({ outcome: 'accepted' });
    const bad = command('reg-2', [{ id: 'del-taken', destinationId: 'dest-1' }]);
    await expect(store.recordEvent(bad)).rejects.toThrow();
    expect(await store.getEvent(bad.event.id)).toBeNull();
    // The dedupe key was not taken: the same event goes through once the delivery can be written.
    expect(await store.recordEvent(command('reg-2', [{ id: 'del-4', destinationId: 'dest-1' }]))).toMatchObject({ outcome: 'accepted' });
  });

  it('records a batch in one transaction: a repeat inside it is a duplicate, and a failure records none', async () => {
    const results = await store.recordEvents([command('batch-1', [{ id: 'del-b1', destinationId: 'dest-1' }]), command('batch-2', []), command('batch-1', [])]);
    expect(results.map((r) => r.outcome)).toEqual(['accepted', 'accepted', 'duplicate']);
    const failing = [command('batch-3', []), command('batch-4', [{ id: 'del-b1', destinationId: 'dest-1' }])];
    await expect(store.recordEvents(failing)).rejects.toThrow();
    expect(await store.getEvent(failing[0]!.event.id)).toBeNull();
  });

  it('gives no delivery to a destination deleted after the event was matched, and records the rest', async () => {
    // Deleting a destination races the recording of an event matched to it: the deletion came first.
    const one = command('gone-1', [{ id: 'del-g1', destinationId: 'no-such-destination' }, { id: 'del-g2', destinationId: 'dest-1' }]);
    expect(await store.recordEvent(one)).toMatchObject({ outcome: 'accepted' });
    expect((await store.listDeliveriesOfEvent(one.event.id)).map((d) => d.id)).toEqual(['del-g2']);
    const batch = [command('gone-2', [{ id: 'del-g3', destinationId: 'no-such-destination' }]), command('gone-3', [{ id: 'del-g4', destinationId: 'dest-1' }])];
    expect((await store.recordEvents(batch)).map((r) => r.outcome)).toEqual(['accepted', 'accepted']);
    expect(await store.listDeliveriesOfEvent(batch[0]!.event.id)).toEqual([]);
    expect((await store.listDeliveriesOfEvent(batch[1]!.event.id)).map((d) => d.id)).toEqual(['del-g4']);
  });

  it('records a mixed batch exactly as the same events one after another', async () => {
    // PostgreSQL writes such a batch as one statement and then looks at what it skipped;
    // SQLite records the events one by one. The outcomes must not tell the two apart.
    await store.createOffer({ id: 'game-1', name: 'Game', createdAt: T0 });
    await store.createDestination({ id: 'dest-held', name: 'paused', config: {}, secretsCiphertext: null, enabled: true, pausedAt: T0, pauseReason: 'test', consecutiveFailures: 0, createdAt: T0, updatedAt: T0 });
    const earlier = await store.recordEvent(command('seen-before', []));
    const hold = [{ check: 'fast_conversion' as const, action: 'hold' as const, detail: 'converted 2 s after the click' }];
    const flag = [{ check: 'clicks_per_ip' as const, action: 'flag' as const, detail: '9 clicks from one IP' }];
    const credit = (coins: number) => ({ ledgerEntryId: newId(), micros: coins * 1_000_000, kind: 'conversion' });
    const batch: RecordEventCommand[] = [
      command('first', [{ id: 'del-first', destinationId: 'dest-1' }]),
      command('seen-before', [{ id: 'del-seen', destinationId: 'dest-1' }]),
      { ...command('no-offer', [{ id: 'del-no-offer', destinationId: 'dest-1' }]), requires: { offerId: 'no-such-offer' } },
      command('first', [{ id: 'del-first-again', destinationId: 'dest-1' }]),
      { ...command('credited', []), event: event({ source: 'platform', type: 'conversion', externalId: 'credited', userId: 'p2', offerId: 'game-1' }), credit: credit(7), requires: { offerId: 'game-1' } },
      { ...command('held', [{ id: 'del-held', destinationId: 'dest-1' }]), credit: credit(5), screening: { flags: hold, caps: null, since: T0 } },
      { ...command('flagged', [{ id: 'del-parked', destinationId: 'dest-held' }]), screening: { flags: flag, caps: null, since: T0 } },
      { ...command('quiet', []), noUserInResult: true },
    ];
    const results = await store.recordEvents(batch);
    const [first, seen, noOffer, firstAgain, credited, held, flagged, quiet] = batch.map((c) => c.event.id);

    expect(results).toEqual([
      { outcome: 'accepted', eventId: first, coins: 0, user: expect.objectContaining({ id: 'p1', coins: 0 }) },
      { outcome: 'duplicate', eventId: seen, duplicateOf: earlier.eventId },
      { outcome: 'rejected', eventId: noOffer, reason: 'unknown_offer' },
      { outcome: 'duplicate', eventId: firstAgain, duplicateOf: first },
      { outcome: 'accepted', eventId: credited, coins: 7, user: expect.objectContaining({ id: 'p2', coins: 7 }) },
      { outcome: 'accepted', eventId: held, coins: 0, user: expect.objectContaining({ id: 'p1', coins: 0 }) },
      { outcome: 'accepted', eventId: flagged, coins: 0, user: expect.objectContaining({ id: 'p1', coins: 0 }) },
      { outcome: 'accepted', eventId: quiet, coins: 0, user: null },
    ]);
    expect(await store.getEvent(noOffer!)).toMatchObject({ outcome: 'rejected', reason: 'unknown_offer', detail: 'game "no-such-offer" is not in the reward games catalog' });
    expect(await store.getEvent(firstAgain!)).toMatchObject({ outcome: 'duplicate', duplicateOf: first });
    expect(await store.getEvent(held!)).toMatchObject({ outcome: 'accepted', coins: 0, review: 'held', flags: hold, metadata: { heldCredit: { micros: 5_000_000, kind: 'conversion' } } });
    expect(await store.getEvent(flagged!)).toMatchObject({ outcome: 'accepted', review: 'flagged', flags: flag });
    expect(await store.getEvent(credited!)).toMatchObject({ outcome: 'accepted', coins: 7, userId: 'p2', offerId: 'game-1' });
    expect((await store.listLedger('p2', { limit: 10 })).items.map((e) => [e.eventId, e.delta])).toEqual([[credited, 7]]);
    expect((await store.listLedger('p1', { limit: 10 })).items).toEqual([]);

    // Deliveries only for the accepted events that were not held; a paused destination's parked.
    const deliveriesOf = async (id: string | undefined) => (await store.listDeliveriesOfEvent(id!)).map((d) => [d.id, d.state, d.nextAttemptAt]);
    expect(await deliveriesOf(first)).toEqual([['del-first', 'pending', T0]]);
    expect(await deliveriesOf(flagged)).toEqual([['del-parked', 'pending', null]]);
    for (const id of [seen, noOffer, firstAgain, held]) expect(await deliveriesOf(id)).toEqual([]);
  });

  it('records a batch whose event requires a user another event of it creates', async () => {
    const creates = command('creates-p9', []);
    creates.event.userId = 'p9';
    const requires: RecordEventCommand = { event: event({ source: 'platform', type: 'level', externalId: 'needs-p9', userId: 'p9' }), requires: { userId: 'p9' }, credit: null };
    expect((await store.recordEvents([creates, requires])).map((r) => r.outcome)).toEqual(['accepted', 'accepted']);
  });

  it('keeps a destination that has a history', async () => {
    await store.recordEvent(command('reg-3', [{ id: 'del-5', destinationId: 'dest-1' }]));
    expect(await store.deleteDestination('dest-1')).toBe('has_deliveries');
    expect(await store.updateDestination('dest-1', { enabled: false }, T0 + 1)).toMatchObject({ enabled: false, updatedAt: T0 + 1 });
    expect(await store.deleteDestination('nope')).toBe('not_found');
  });
});
