import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClickRecord } from '../../src/features/clicks/clicks-types.js';
import { STORE_KINDS, openTestStore, type TestDatabase, type TestStore as Store } from '../helpers/stores.js';
import { T0 } from '../helpers/store-fixtures.js';

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
