// The dashboard's "send test postback" records test data: flagged, crediting nobody, delivered
// only where the operator picked (issue 22, point 6).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS } from './helpers/stores.js';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { startReceiver } from './helpers/receiver.js';
import { HUB_START_MS } from './helpers/timing.js';

describe.each(STORE_KINDS)('test postbacks on %s', (kind) => {
  let hub: TestHub;
  const now = Date.parse('2026-11-21T12:00:00Z');
  const clock = { now: () => now };
  const runWorker = async () => {
    while ((await hub.hub.services.worker.runOnce()) > 0);
  };
  const range = () => `from=${new Date(now - 3_600_000).toISOString()}&to=${new Date(now + 3_600_000).toISOString()}`;

  beforeAll(async () => {
    hub = await startTestHub(kind, { worker: false, clock });
    const created = await hub.admin('/sources', {
      body: { slug: 'coins800', preset: 'generic', overrides: { fields: { user: 'user_id', externalId: 'tx', offer: 'offer', amount: 'payout' }, defaults: { currency: 'USD' }, reward: { kind: 'fixed', coins: 800 } } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  }, HUB_START_MS);
  afterAll(async () => {
    await hub?.close();
  });

  it("records a test event that credits no real balance and stays out of reports, stats and the user's trace", async () => {
    // A real postback first: the user's balance, ledger, the stats and the report as they stand.
    expect((await fetch(`${hub.url}/postbacks/coins800?user_id=u-real&tx=real-1&offer=o1&payout=2.50`)).status).toBe(200);
    const before = {
      user: (await hub.admin('/users/u-real')).body,
      ledger: (await hub.admin('/users/u-real/ledger')).body,
      stats: (await hub.admin(`/stats?${range()}&bucket=7200`)).body.totals,
      report: (await hub.admin(`/reports?${range()}&by=offer`)).body,
      trace: (await hub.admin('/users/u-real/trace')).body,
    };
    expect(before.user.coins).toBe(800);
    expect(before.stats).toMatchObject({ accepted: 1, coinsCredited: 800, revenue: { USD: '2.50' } });

    const sent = await hub.admin('/sources/coins800/test', { body: { fields: { user_id: 'u-real', tx: 'test-1', offer: 'o1', payout: '9.00' } } });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    expect(sent.body.event).toMatchObject({ outcome: 'accepted', userId: 'u-real', externalId: 'test-1', test: true, coins: 0, exactReward: null });
    // The answer is the source's own, showing what a real postback would have credited; no balance.
    expect(sent.body.wouldCredit).toBe('800');
    expect(JSON.parse(sent.body.answer.body)).toMatchObject({ outcome: 'accepted', coins: 800, balance: null, test: true });

    expect((await hub.admin('/users/u-real')).body).toEqual(before.user);
    expect((await hub.admin('/users/u-real/ledger')).body).toEqual(before.ledger);
    expect((await hub.admin(`/stats?${range()}&bucket=7200`)).body.totals).toEqual(before.stats);
    expect((await hub.admin(`/reports?${range()}&by=offer`)).body).toEqual(before.report);
    expect((await hub.admin('/users/u-real/trace')).body).toEqual(before.trace);

    // The sample's user is never created: before, one test credited `test-user` 800 coins.
    const sample = await hub.admin('/sources/coins800/test', { body: {} });
    expect(sample.body.event).toMatchObject({ outcome: 'accepted', userId: 'test-user', test: true, coins: 0 });
    expect((await hub.admin('/users/test-user')).status).toBe(404);

    // The explorer shows it, flagged; it can be left out.
    const listed = await hub.admin('/events?source=coins800');
    expect(listed.body.items.map((e: { externalId: string; test: boolean }) => [e.externalId, e.test])).toEqual(
      expect.arrayContaining([
        ['test-1', true],
        ['real-1', false],
      ]),
    );
    const real = await hub.admin('/events?source=coins800&test=false');
    expect(real.body.items.map((e: { externalId: string }) => e.externalId)).toEqual(['real-1']);
  });

  it("never takes a real postback's id: tests de-duplicate among themselves only", async () => {
    const first = await hub.admin('/sources/coins800/test', { body: { fields: { user_id: 'u-dup', tx: 'shared-1' } } });
    expect(first.body.event).toMatchObject({ outcome: 'accepted', test: true });
    const again = await hub.admin('/sources/coins800/test', { body: { fields: { user_id: 'u-dup', tx: 'shared-1' } } });
    expect(again.body.event).toMatchObject({ outcome: 'duplicate', duplicateOf: first.body.event.id, test: true });
    // The partner's real postback with the same id is accepted and credited, not a duplicate of the test.
    const real = await fetch(`${hub.url}/postbacks/coins800?user_id=u-dup&tx=shared-1`);
    expect(await real.json()).toMatchObject({ outcome: 'accepted', coins: 800, balance: 800 });
    // And a test after it is not a duplicate of the real one.
    const after = await hub.admin('/sources/coins800/test', { body: { fields: { user_id: 'u-dup', tx: 'shared-1' } } });
    expect(after.body.event).toMatchObject({ outcome: 'duplicate', duplicateOf: first.body.event.id });
    expect((await hub.admin('/users/u-dup')).body.coins).toBe(800);
  });

  it('is delivered only to the destinations picked, its deliveries marked test', async () => {
    const picked = await startReceiver();
    const unpicked = await startReceiver();
    try {
      const make = async (name: string, url: string) => {
        const created = await hub.admin('/destinations', { body: { name, config: { url, match: { sources: ['coins800'] } } } });
        expect(created.status, JSON.stringify(created.body)).toBe(201);
        return created.body.id as string;
      };
      const pickedId = await make('picked partner', `${picked.url}/pb?u={user_id}`);
      const unpickedId = await make('unpicked partner', `${unpicked.url}/pb?u={user_id}`);

      // The dialog lists the destinations that want such a postback.
      const sample = await hub.admin('/sources/coins800/test');
      expect(sample.body.destinations).toEqual(
        expect.arrayContaining([
          { id: pickedId, name: 'picked partner' },
          { id: unpickedId, name: 'unpicked partner' },
        ]),
      );

      // None picked (the default): delivered nowhere.
      const none = await hub.admin('/sources/coins800/test', { body: { fields: { user_id: 'u-d', tx: 'to-none' } } });
      expect(none.body.deliveries).toEqual([]);
      expect(none.body.notPicked).toEqual(expect.arrayContaining([{ id: pickedId, name: 'picked partner' }]));

      const sent = await hub.admin('/sources/coins800/test', { body: { fields: { user_id: 'u-d', tx: 'to-one' }, destinations: [pickedId] } });
      expect(sent.status, JSON.stringify(sent.body)).toBe(200);
      expect(sent.body.deliveries).toEqual([{ id: expect.any(String), destination: { id: pickedId, name: 'picked partner' } }]);
      expect(sent.body.notPicked).toEqual([{ id: unpickedId, name: 'unpicked partner' }]);
      await runWorker();
      expect(picked.received.map((r) => r.url)).toEqual(['/pb?u=u-d']);
      expect(unpicked.received).toEqual([]);

      const history = await hub.admin(`/deliveries?event=${sent.body.event.id}`);
      expect(history.body.items).toEqual([expect.objectContaining({ destinationId: pickedId, state: 'succeeded', test: true })]);
      // A real postback still goes to both, unmarked.
      await fetch(`${hub.url}/postbacks/coins800?user_id=u-d&tx=real-d`);
      await runWorker();
      expect(picked.received).toHaveLength(2);
      expect(unpicked.received).toHaveLength(1);
      const realEvent = (await hub.admin('/events?source=coins800&test=false&user=u-d')).body.items[0];
      expect((await hub.admin(`/deliveries?event=${realEvent.id}`)).body.items.map((d: { test: boolean }) => d.test)).toEqual([false, false]);

      // An id that is no destination is the request's fault, named.
      const unknown = await hub.admin('/sources/coins800/test', { body: { destinations: [pickedId, 'no-such-destination'] } });
      expect(unknown.status).toBe(400);
      expect(unknown.body).toMatchObject({ field: 'destinations.1' });
      await hub.admin(`/destinations/${pickedId}`, { method: 'DELETE' });
      await hub.admin(`/destinations/${unpickedId}`, { method: 'DELETE' });
    } finally {
      await picked.close();
      await unpicked.close();
    }
  });

  it('offers a GG3 sample whose fields are named as GG3 sends them (no `?event_id`)', async () => {
    expect((await hub.admin('/sources', { body: { slug: 'gg3-test', preset: 'gg3' } })).status).toBe(201);
    const sample = await hub.admin('/sources/gg3-test/test');
    expect(Object.keys(sample.body.fields).filter((name) => name.startsWith('?'))).toEqual([]);
    expect(sample.body.fields).toHaveProperty('event_id');
    const sent = await hub.admin('/sources/gg3-test/test', { body: { fields: sample.body.fields } });
    expect(sent.body.event).toMatchObject({ outcome: 'accepted', test: true, metadata: { data: { event_id: sample.body.fields.event_id } } });
  });

  it("types a refused Gamezop test as the source's sessions, as its accepted ones", async () => {
    expect((await hub.admin('/sources', { body: { slug: 'gamezop-test', preset: 'gamezop' } })).status).toBe(201);
    const accepted = await hub.admin('/sources/gamezop-test/test', { body: {} });
    expect(accepted.body.event).toMatchObject({ outcome: 'accepted', type: 'session', test: true });
    const refused = await hub.admin('/sources/gamezop-test/test', { body: { authenticate: false } });
    expect(refused.body.event).toMatchObject({ outcome: 'rejected', reason: 'unauthorized', type: 'session', test: true });
    // A refused real postback too.
    expect((await fetch(`${hub.url}/postbacks/gamezop-test`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
    const [latest] = (await hub.admin('/events?source=gamezop-test&test=false')).body.items;
    expect(latest).toMatchObject({ outcome: 'rejected', type: 'session', test: false });
  });
});
