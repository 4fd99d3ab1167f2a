import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreUnavailableError, UniqueViolationError } from '../src/lib/errors.js';
import { newId } from '../src/lib/ids.js';
import type { TestStore as Store } from './helpers/stores.js';
import { PROCEDURES_MODULE, procedures } from '../src/features/procedures.js';
import { STORE_KINDS, openTestStore, type TestDatabase } from './helpers/stores.js';
import { testEvent } from './helpers/events.js';
import type { NewEvent, RecordEventCommand } from '../src/features/conversions/events-types.js';
import type { ClickRecord } from '../src/features/clicks/clicks-types.js';
import { openDatabase } from '../src/db/open.js';
import { deliveriesDal } from '../src/features/delivery/deliveries-dal.js';

const T0 = 1_750_000_000_000;

const event = (overrides: Partial<NewEvent> = {}): NewEvent => testEvent({ source: 'reward-levels', type: 'level', receivedAt: T0, ...overrides });

function levelCommand(userId: string, level: number, coins: number, extra: Partial<NewEvent> = {}): RecordEventCommand {
  return {
    event: event({ userId, offerId: 'my_game', appPid: 'cashgiraffe', level, externalId: `${userId}:my_game:${level}`, ...extra }),
    requires: { appPid: 'cashgiraffe', offerId: 'my_game', userId },
    credit: coins > 0 ? { ledgerEntryId: newId(), coins, kind: 'milestone' } : null,
  };
}

describe.each(STORE_KINDS)('store on %s', (kind) => {
  let store: Store;
  let db: TestDatabase;

  beforeEach(async () => {
    ({ store, db } = await openTestStore(kind));
    await store.createApp({ pid: 'cashgiraffe', name: 'Cash Giraffe', createdAt: T0 });
    await store.createOffer({ id: 'my_game', name: 'My Game', createdAt: T0 });
  });

  afterEach(async () => {
    await store.close();
    await db.cleanup();
  });

  async function sumOfLedger(userId: string): Promise<number> {
    const page = await store.listLedger(userId, { limit: 1000 });
    return page.items.reduce((sum, e) => sum + e.delta, 0);
  }

  describe('users', () => {
    it('creates, reads, updates and lists users', async () => {
      const created = await store.createUser({ id: 'u-1', appId: 'app', deviceId: 'dev', createdAt: T0 });
      expect(created).toEqual({ id: 'u-1', appId: 'app', deviceId: 'dev', coins: 0, createdAt: T0, updatedAt: T0 });
      expect(await store.getUser('u-1')).toEqual(created);
      expect(await store.getUser('missing')).toBeNull();

      const updated = await store.updateUser('u-1', { deviceId: null }, T0 + 5);
      expect(updated).toMatchObject({ appId: 'app', deviceId: null, updatedAt: T0 + 5 });
      expect(await store.updateUser('missing', { appId: 'x' }, T0)).toBeNull();
    });

    it('refuses a second user with the same id', async () => {
      await store.createUser({ id: 'dup', appId: null, deviceId: null, createdAt: T0 });
      await expect(store.createUser({ id: 'dup', appId: null, deviceId: null, createdAt: T0 })).rejects.toBeInstanceOf(UniqueViolationError);
    });

    it('pages through users with a cursor and no overlap', async () => {
      for (let i = 0; i < 5; i++) await store.createUser({ id: `u-${i}`, appId: null, deviceId: null, createdAt: T0 });
      const first = await store.listUsers({ limit: 2 });
      expect(first.items.map((u) => u.id)).toEqual(['u-0', 'u-1']);
      const second = await store.listUsers({ limit: 2, cursor: first.nextCursor! });
      expect(second.items.map((u) => u.id)).toEqual(['u-2', 'u-3']);
      const third = await store.listUsers({ limit: 2, cursor: second.nextCursor! });
      expect(third).toEqual({ items: [expect.objectContaining({ id: 'u-4' })], nextCursor: null });
    });

    it('deletes a user without ledger entries but never one with', async () => {
      await store.createUser({ id: 'plain', appId: null, deviceId: null, createdAt: T0 });
      await store.createUser({ id: 'credited', appId: null, deviceId: null, createdAt: T0 });
      await store.recordEvent(levelCommand('credited', 5, 25));
      expect(await store.deleteUser('plain')).toBe('deleted');
      expect(await store.deleteUser('plain')).toBe('not_found');
      expect(await store.deleteUser('credited')).toBe('has_ledger');
      expect(await store.getUser('credited')).not.toBeNull();
    });
  });

  describe('catalog and secrets', () => {
    it('keeps apps and offers, unique by id', async () => {
      expect(await store.getApp('cashgiraffe')).toEqual({ pid: 'cashgiraffe', name: 'Cash Giraffe', createdAt: T0 });
      await expect(store.createApp({ pid: 'cashgiraffe', name: null, createdAt: T0 })).rejects.toBeInstanceOf(UniqueViolationError);
      expect(await store.updateOffer('my_game', { name: 'Renamed' })).toMatchObject({ id: 'my_game', name: 'Renamed' });
      await store.createOffer({ id: 'other', name: null, createdAt: T0 });
      expect((await store.listOffers({ limit: 10 })).items.map((o) => o.id)).toEqual(['my_game', 'other']);
      expect(await store.deleteOffer('other')).toBe(true);
      expect(await store.deleteOffer('other')).toBe(false);
      expect(await store.getOffer('other')).toBeNull();
    });

    it('finds a secret by hash until it is revoked', async () => {
      const id = newId();
      await store.createApiSecret({ id, name: 'studio', prefix: 'pbh_abcd', secretHash: 'h1', createdAt: T0, revokedAt: null });
      expect(await store.findActiveApiSecret('h1')).toEqual({ id });
      expect(await store.findActiveApiSecret('h2')).toBeNull();
      const revoked = await store.revokeApiSecret(id, T0 + 1);
      expect(revoked).toMatchObject({ id, revokedAt: T0 + 1 });
      expect(await store.findActiveApiSecret('h1')).toBeNull();
      expect(await store.revokeApiSecret(id, T0 + 99)).toMatchObject({ revokedAt: T0 + 1 });
      expect(await store.revokeApiSecret('missing', T0)).toBeNull();
    });
  });

  describe('recordEvent', () => {
    beforeEach(async () => {
      await store.createUser({ id: 'u', appId: 'app-1', deviceId: 'dev-1', createdAt: T0 });
    });

    it('accepts, appends the credit and moves the balance in one go', async () => {
      const command = levelCommand('u', 10, 25);
      const result = await store.recordEvent(command);
      expect(result).toEqual({
        outcome: 'accepted',
        eventId: command.event.id,
        coins: 25,
        user: { id: 'u', appId: 'app-1', deviceId: 'dev-1', coins: 25, createdAt: T0, updatedAt: T0 },
      });
      const ledger = await store.listLedger('u', { limit: 10 });
      expect(ledger.items).toEqual([
        { id: command.credit!.ledgerEntryId, userId: 'u', eventId: command.event.id, delta: 25, kind: 'milestone', createdAt: T0 },
      ]);
      expect(await store.getEvent(command.event.id)).toMatchObject({ outcome: 'accepted', coins: 25, level: 10, duplicateOf: null });
    });

    it('records a level without credit when it pays nothing', async () => {
      const result = await store.recordEvent(levelCommand('u', 7, 0));
      expect(result).toMatchObject({ outcome: 'accepted', coins: 0, user: { coins: 0 } });
      expect((await store.listLedger('u', { limit: 10 })).items).toEqual([]);
    });

    it('records a repeat as a duplicate of the original and changes nothing', async () => {
      const first = await store.recordEvent(levelCommand('u', 5, 25));
      const again = levelCommand('u', 5, 25);
      const second = await store.recordEvent(again);
      expect(second).toEqual({ outcome: 'duplicate', eventId: again.event.id, duplicateOf: first.eventId });
      expect((await store.getUser('u'))!.coins).toBe(25);
      expect(await store.getEvent(again.event.id)).toMatchObject({ outcome: 'duplicate', duplicateOf: first.eventId, coins: 0 });
    });

    it('credits once when 50 identical postbacks race', async () => {
      const results = await Promise.all(Array.from({ length: 50 }, () => store.recordEvent(levelCommand('u', 15, 25))));
      expect(results.filter((r) => r.outcome === 'accepted')).toHaveLength(1);
      expect(results.filter((r) => r.outcome === 'duplicate')).toHaveLength(49);
      expect((await store.getUser('u'))!.coins).toBe(25);
      expect(await sumOfLedger('u')).toBe(25);
    });

    it.each([
      ['unknown_app', { appPid: 'nope' }, 'pid "nope" is not a registered store app'],
      ['unknown_offer', { offerId: 'nope' }, 'game "nope" is not in the reward games catalog'],
      ['unknown_user', { userId: 'nope' }, 'no user with id "nope"'],
    ] as const)('rejects %s with its reason and writes nothing else', async (reason, requires, detail) => {
      const command = levelCommand('u', 20, 25);
      command.requires = { ...command.requires, ...requires };
      const result = await store.recordEvent(command);
      expect(result).toEqual({ outcome: 'rejected', eventId: command.event.id, reason });
      expect(await store.getEvent(command.event.id)).toMatchObject({ outcome: 'rejected', reason, detail, coins: 0 });
      expect((await store.getUser('u'))!.coins).toBe(0);
      // The rejection did not take the dedupe key: the corrected postback is accepted.
      expect(await store.recordEvent(levelCommand('u', 20, 25))).toMatchObject({ outcome: 'accepted' });
    });

    it('keeps balances equal to the sum of the ledger across many credits', async () => {
      await store.createUser({ id: 'v', appId: null, deviceId: null, createdAt: T0 });
      const levels = [5, 10, 15, 30, 35, 70, 75, 100, 105, 135];
      await Promise.all(levels.flatMap((level) => [store.recordEvent(levelCommand('u', level, 3)), store.recordEvent(levelCommand('v', level, 2))]));
      expect((await store.getUser('u'))!.coins).toBe(30);
      expect(await sumOfLedger('u')).toBe(30);
      expect((await store.getUser('v'))!.coins).toBe(20);
      expect(await sumOfLedger('v')).toBe(20);
    });

    it('stores the raw request and metadata as given', async () => {
      const raw = { method: 'POST', path: '/api/postback', query: {}, headers: { 'content-type': 'application/json' }, ip: '127.0.0.1', body: '{"a":1}', bodyTruncated: false };
      const command = levelCommand('u', 3, 0, { raw, metadata: { reason: 'boss ✓ "quoted"' } });
      await store.recordEvent(command);
      expect(await store.getEvent(command.event.id)).toMatchObject({ raw, metadata: { reason: 'boss ✓ "quoted"' } });
    });
  });

  describe('events list', () => {
    it('filters and pages newest first', async () => {
      await store.createUser({ id: 'u', appId: null, deviceId: null, createdAt: T0 });
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        const command = levelCommand('u', i + 1, 0, { receivedAt: T0 + i * 1000 });
        ids.push(command.event.id);
        await store.recordEvent(command);
      }
      await store.recordRejection(event({ receivedAt: T0 + 10_000, source: 'other' }), 'unauthorized', 'Missing API secret');

      const all = await store.listEvents({ limit: 100 });
      expect(all.items.map((e) => e.id).slice(1)).toEqual([...ids].reverse());
      expect(all.items[0]).toMatchObject({ outcome: 'rejected', reason: 'unauthorized', detail: 'Missing API secret', source: 'other' });

      const window = await store.listEvents({ limit: 100, from: T0 + 1000, to: T0 + 4000 });
      expect(window.items.map((e) => e.id)).toEqual([ids[3], ids[2], ids[1]]);
      expect((await store.listEvents({ limit: 100, outcome: 'rejected' })).items).toHaveLength(1);
      expect((await store.listEvents({ limit: 100, source: 'reward-levels', userId: 'u' })).items).toHaveLength(6);
      expect((await store.listEvents({ limit: 100, userId: 'nobody' })).items).toHaveLength(0);

      const page1 = await store.listEvents({ limit: 4 });
      const page2 = await store.listEvents({ limit: 4, cursor: page1.nextCursor! });
      expect([...page1.items, ...page2.items].map((e) => e.id)).toEqual(all.items.map((e) => e.id));
      expect(page2.nextCursor).toBeNull();
    });
  });

  it('answers ping, and refuses writes once closed', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
    await expect(store.createUser({ id: 'late', appId: null, deviceId: null, createdAt: T0 })).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});

describe.each(STORE_KINDS)('store reversals and new users on %s', (kind) => {
  let store: Store;
  let db: TestDatabase;

  beforeEach(async () => {
    ({ store, db } = await openTestStore(kind));
  });

  afterEach(async () => {
    await store.close();
    await db.cleanup();
  });

  const offerwallEvent = (externalId: string, userId = 'wall-user') => event({ source: 'wall', type: 'conversion', externalId, userId });

  it('creates a user on their first postback when asked to', async () => {
    const result = await store.recordEvent({ event: offerwallEvent('tx-1'), requires: {}, credit: { ledgerEntryId: newId(), coins: 40, kind: 'reward' }, ensureUser: true });
    expect(result).toMatchObject({ outcome: 'accepted', coins: 40, user: { id: 'wall-user', coins: 40 } });
    // A caller that answers without the balance gets no user read, unless it credited.
    const uncredited = await store.recordEvent({ event: offerwallEvent('tx-2', 'new-user'), requires: {}, credit: null, ensureUser: true, noUserInResult: true });
    expect(uncredited).toMatchObject({ outcome: 'accepted', coins: 0, user: null });
    expect(await store.getUser('new-user')).toMatchObject({ id: 'new-user', coins: 0 });
    const credited = await store.recordEvent({ event: offerwallEvent('tx-3'), requires: {}, credit: { ledgerEntryId: newId(), coins: 2, kind: 'reward' }, ensureUser: true, noUserInResult: true });
    expect(credited).toMatchObject({ user: { id: 'wall-user', coins: 42 } });
  });

  it('creates a user and checks another exists in one recording', async () => {
    await store.createUser({ id: 'known', appId: null, deviceId: null, createdAt: T0 });
    const ok = await store.recordEvent({ event: offerwallEvent('tx-4', 'fresh'), requires: { userId: 'known' }, credit: null, ensureUser: true });
    expect(ok).toMatchObject({ outcome: 'accepted', user: { id: 'fresh' } });
    const refused = await store.recordEvent({ event: offerwallEvent('tx-5', 'fresh-2'), requires: { userId: 'missing' }, credit: null, ensureUser: true });
    expect(refused).toMatchObject({ outcome: 'rejected', reason: 'unknown_user' });
  });

  it('takes back exactly what the original credited, once, and may go negative', async () => {
    await store.recordEvent({ event: offerwallEvent('tx-1'), requires: {}, credit: { ledgerEntryId: newId(), coins: 40, kind: 'reward' }, ensureUser: true });
    await store.recordEvent({ event: offerwallEvent('tx-2'), requires: {}, credit: null, ensureUser: true });
    // Spend some coins elsewhere so the balance goes below zero.
    await store.recordEvent({ event: offerwallEvent('tx-3'), requires: {}, credit: { ledgerEntryId: newId(), coins: -30, kind: 'adjustment' } });

    const reversal = offerwallEvent('tx-1');
    const first = await store.recordEvent({ event: reversal, requires: {}, credit: { ledgerEntryId: newId(), coins: 999, kind: 'ignored' }, reversalOf: 'tx-1' });
    expect(first).toMatchObject({ outcome: 'accepted', coins: -40, user: { coins: -30 } });
    const again = await store.recordEvent({ event: offerwallEvent('tx-1'), requires: {}, credit: null, reversalOf: 'tx-1' });
    expect(again).toMatchObject({ outcome: 'duplicate', duplicateOf: first.eventId });
    expect((await store.getUser('wall-user'))!.coins).toBe(-30);

    const ledger = (await store.listLedger('wall-user', { limit: 10 })).items;
    expect(ledger[0]).toMatchObject({ delta: -40, kind: 'reversal', eventId: first.eventId });
    expect(await store.getEvent(first.eventId)).toMatchObject({ outcome: 'accepted', coins: -40, externalId: 'tx-1' });
  });

  it("cuts credits at the user's daily cap for the source, counting only today's", async () => {
    const day = Date.UTC(2026, 10, 21);
    const credit = (id: string, coins: number, at: number) =>
      store.recordEvent({
        event: { ...offerwallEvent(id), receivedAt: at },
        requires: {},
        credit: { ledgerEntryId: newId(), coins, kind: 'reward' },
        ensureUser: true,
        dailyCap: { coins: 100, since: day },
      });
    expect(await credit('yesterday', 90, day - 1000)).toMatchObject({ coins: 90 });
    expect(await credit('a', 60, day + 1000)).toMatchObject({ coins: 60 });
    const cut = await credit('b', 60, day + 2000);
    expect(cut).toMatchObject({ outcome: 'accepted', coins: 40 });
    expect(await store.getEvent(cut.eventId)).toMatchObject({ coins: 40, metadata: { rewardNote: 'daily cap of 100 coins reached: 60 cut to 40' } });
    expect(await credit('c', 10, day + 3000)).toMatchObject({ outcome: 'accepted', coins: 0 });
    expect((await store.getUser('wall-user'))!.coins).toBe(190);
  });

  it('refuses to reverse what was never accepted, or another user\'s postback', async () => {
    await store.recordEvent({ event: offerwallEvent('tx-1', 'alice'), requires: {}, credit: { ledgerEntryId: newId(), coins: 5, kind: 'reward' }, ensureUser: true });
    expect(await store.recordEvent({ event: offerwallEvent('tx-404', 'alice'), requires: {}, credit: null, reversalOf: 'tx-404' })).toMatchObject({
      outcome: 'rejected',
      reason: 'original_not_found',
    });
    expect(await store.recordEvent({ event: offerwallEvent('tx-1', 'mallory'), requires: {}, credit: null, reversalOf: 'tx-1' })).toMatchObject({
      outcome: 'rejected',
      reason: 'original_not_found',
    });
    expect((await store.getUser('alice'))!.coins).toBe(5);
  });
});

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
    const credit = (coins: number) => ({ ledgerEntryId: newId(), coins, kind: 'conversion' });
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
    expect(await store.getEvent(held!)).toMatchObject({ outcome: 'accepted', coins: 0, review: 'held', flags: hold, metadata: { heldCredit: { coins: 5, kind: 'conversion' } } });
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

  it('prunes old attempts, finished deliveries and raw bodies in batches, keeping ledgers and events', async () => {
    const raw = { method: 'GET', path: '/p', query: {}, headers: {}, ip: '1.1.1.1', body: 'x', bodyTruncated: false };
    const old: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = newId();
      old.push(id);
      await store.recordEvent({
        event: event({ source: 'wall', externalId: `old-${i}`, userId: 'u', receivedAt: T0, raw }),
        requires: {},
        credit: { ledgerEntryId: newId(), coins: 10, kind: 'reward' },
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

    const cutoff = T0 + 5 * 86_400_000;
    let touched = 0;
    let passes = 0;
    for (let n = await store.prune(cutoff, 2); n > 0; n = await store.prune(cutoff, 2)) {
      touched += n;
      passes++;
    }
    expect(passes).toBeGreaterThan(1);
    expect(touched).toBe(4 + 4 + 5); // attempts, deliveries, raw bodies
    const events = (await store.listEvents({ limit: 100, source: 'wall' })).items;
    expect(events).toHaveLength(6);
    expect(events.filter((e) => e.raw === null)).toHaveLength(5);
    expect((await store.getUser('u'))!.coins).toBe(50);
    expect((await store.listLedger('u', { limit: 100 })).items).toHaveLength(5);
    expect(await store.getDelivery(old[0]!)).toBeNull();
    expect(await store.getDelivery(old[4]!)).toMatchObject({ state: 'delivering' });
    expect(await store.listAttempts(recent)).toHaveLength(1);
  });
});

describe.each(STORE_KINDS)('store links and clicks on %s', (kind) => {
  let store: Store;
  let db: TestDatabase;

  const link = (id: string) => ({ id, name: null, offerId: 'quest', partner: 'aff-1', config: { target: 'https://example.com/?c={click_id}' }, enabled: true, createdAt: T0, updatedAt: T0 });
  const click = (id: string, linkId: string, createdAt = T0 + 1000): ClickRecord => ({
    id,
    linkId,
    offerId: 'quest',
    partner: 'aff-1',
    userId: 'u1',
    partnerClickId: null,
    ip: '203.0.113.9',
    userAgent: 'test',
    query: { sub: 'u1' },
    createdAt,
  });

  beforeEach(async () => {
    ({ store, db } = await openTestStore(kind));
    await store.createOffer({ id: 'quest', name: null, createdAt: T0 });
  });

  afterEach(async () => {
    await store.close();
    await db.cleanup();
  });

  it("records a batch of clicks, lists a link's newest first, and deletes only the links that have none", async () => {
    for (const id of ['clicked', 'twice', 'never']) await store.createLink(link(id));
    await store.recordClicks([click('c1', 'clicked', T0 + 2000), click('c2', 'twice', T0 + 1000), click('c3', 'twice', T0 + 3000)]);
    // A batch written again (a retry after an unknown outcome) changes nothing.
    await store.recordClicks([click('c1', 'clicked', T0 + 2000)]);

    expect(await store.getClick('c3')).toEqual(click('c3', 'twice', T0 + 3000));
    expect((await store.listClicks({ limit: 10 })).items.map((c) => c.id)).toEqual(['c3', 'c2', 'c1']);
    expect((await store.listClicks({ limit: 10, linkId: 'twice' })).items.map((c) => c.id)).toEqual(['c3', 'c2']);
    expect(await store.deleteLink('clicked')).toBe('has_clicks');
    expect(await store.deleteLink('twice')).toBe('has_clicks');
    expect(await store.deleteLink('never')).toBe('deleted');
    expect(await store.deleteLink('never')).toBe('not_found');
    expect(await store.getLink('twice')).not.toBeNull();
  });
});
