import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../src/lib/ids.js';
import { STORE_KINDS, openTestStore, type TestDatabase, type TestStore as Store } from '../helpers/stores.js';
import { T0, event, levelCommand, seedRewardCatalog } from '../helpers/store-fixtures.js';

describe.each(STORE_KINDS)('store on %s', (kind) => {
  let store: Store;
  let db: TestDatabase;

  beforeEach(async () => {
    ({ store, db } = await openTestStore(kind));
    await seedRewardCatalog(store);
  });

  afterEach(async () => {
    await store.close();
    await db.cleanup();
  });

  async function sumOfLedger(userId: string): Promise<number> {
    const page = await store.listLedger(userId, { limit: 1000 });
    return page.items.reduce((sum, e) => sum + e.delta, 0);
  }

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
      expect(ledger.items).toMatchObject([
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
    const result = await store.recordEvent({ event: offerwallEvent('tx-1'), requires: {}, credit: { ledgerEntryId: newId(), micros: 40_000_000, kind: 'reward' }, ensureUser: true });
    expect(result).toMatchObject({ outcome: 'accepted', coins: 40, user: { id: 'wall-user', coins: 40 } });
    // A caller that answers without the balance gets no user read, unless it credited.
    const uncredited = await store.recordEvent({ event: offerwallEvent('tx-2', 'new-user'), requires: {}, credit: null, ensureUser: true, noUserInResult: true });
    expect(uncredited).toMatchObject({ outcome: 'accepted', coins: 0, user: null });
    expect(await store.getUser('new-user')).toMatchObject({ id: 'new-user', coins: 0 });
    const credited = await store.recordEvent({ event: offerwallEvent('tx-3'), requires: {}, credit: { ledgerEntryId: newId(), micros: 2_000_000, kind: 'reward' }, ensureUser: true, noUserInResult: true });
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
    await store.recordEvent({ event: offerwallEvent('tx-1'), requires: {}, credit: { ledgerEntryId: newId(), micros: 40_000_000, kind: 'reward' }, ensureUser: true });
    await store.recordEvent({ event: offerwallEvent('tx-2'), requires: {}, credit: null, ensureUser: true });
    // Spend some coins elsewhere so the balance goes below zero.
    await store.recordEvent({ event: offerwallEvent('tx-3'), requires: {}, credit: { ledgerEntryId: newId(), micros: -30_000_000, kind: 'adjustment' } });

    const reversal = offerwallEvent('tx-1');
    const first = await store.recordEvent({ event: reversal, requires: {}, credit: { ledgerEntryId: newId(), micros: 999_000_000, kind: 'ignored' }, reversalOf: 'tx-1' });
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
        credit: { ledgerEntryId: newId(), micros: coins * 1_000_000, kind: 'reward' },
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
    await store.recordEvent({ event: offerwallEvent('tx-1', 'alice'), requires: {}, credit: { ledgerEntryId: newId(), micros: 5_000_000, kind: 'reward' }, ensureUser: true });
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
