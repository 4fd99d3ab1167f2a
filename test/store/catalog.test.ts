import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreUnavailableError, UniqueViolationError } from '../../src/lib/errors.js';
import { newId } from '../../src/lib/ids.js';
import { STORE_KINDS, openTestStore, type TestDatabase, type TestStore as Store } from '../helpers/stores.js';
import { T0, levelCommand, seedRewardCatalog } from '../helpers/store-fixtures.js';

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

  it('answers ping, and refuses writes once closed', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
    await expect(store.createUser({ id: 'late', appId: null, deviceId: null, createdAt: T0 })).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
