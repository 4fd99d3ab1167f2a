// Tracking links end to end, on SQLite and PostgreSQL: click → redirect → conversion with the
// click id → credit → the referring partner's postback at a real receiver; every fraud check,
// and a held event approved and a flagged one rejected. The clock is held by the test.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_FRAUD_POLICY } from '../src/features/conversions/fraud.js';
import { postJson, startTestHub, type TestHub } from './helpers/hub.js';
import { STORE_KINDS } from './helpers/stores.js';
import { startReceiver } from './helpers/receiver.js';
import { HUB_START_MS } from './helpers/timing.js';

const DAY = 86_400_000;

describe.each(STORE_KINDS)('tracking links and attribution on %s', (kind) => {
  let hub: TestHub;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let platform: Record<string, string>;
  let secret: string;
  let now = Date.parse('2026-11-20T10:00:00Z');
  const clock = { now: () => now };

  beforeAll(async () => {
    hub = await startTestHub(kind, { worker: false, clock });
    receiver = await startReceiver();
    expect((await hub.admin('/apps', { body: { pid: 'cashgiraffe' } })).status).toBe(201);
    for (const id of ['my_game', 'gg3_quest', 'survey']) expect((await hub.admin('/offers', { body: { id } })).status).toBe(201);
    secret = (await hub.admin('/api-secrets', { body: {} })).body.secret;
    platform = { authorization: `Bearer ${secret}` };
  }, HUB_START_MS);
  afterAll(async () => {
    await hub?.close();
    await receiver?.close();
  });
  beforeEach(async () => {
    now += DAY; // each test in its own day: the daily caps start again
    // A change made through this hub is in force at once: no waiting for a cache.
    expect((await hub.admin('/fraud-policy', { method: 'PUT', body: DEFAULT_FRAUD_POLICY })).status).toBe(200);
  });

  const runWorker = () => hub.hub.services.worker.runOnce();

  async function link(body: Record<string, unknown>) {
    const created = await hub.admin('/links', { body });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body;
  }

  /** Follows a tracking link like a browser would, without following the redirect. */
  async function click(path: string, headers: Record<string, string> = {}) {
    const response = await fetch(`${hub.url}${path}`, { redirect: 'manual', headers });
    return { status: response.status, location: response.headers.get('location'), text: await response.text() };
  }

  /** A link's clicks once written: they are recorded behind the redirect, a moment later. */
  async function storedClicks(linkId: string): Promise<unknown[]> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const { items } = (await hub.admin(`/clicks?link=${linkId}`)).body;
      if (items.length > 0 || Date.now() > deadline) return items;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async function emit(body: Record<string, unknown>) {
    const answer = await postJson(`${hub.url}/api/events`, { idempotencyKey: randomUUID(), ...body }, platform);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return (await hub.admin(`/events/${answer.body.eventId}`)).body;
  }

  async function setPolicy(change: Record<string, unknown>) {
    expect((await hub.admin('/fraud-policy', { method: 'PUT', body: { ...DEFAULT_FRAUD_POLICY, ...change } })).status).toBe(200);
  }

  it('GG3: click → redirect → registration with the click id → the partner’s postback, once, with its own click id', async () => {
    const hook = `${receiver.url}/gg3-aff1?userId={userId}&clickId={clickId}&event=registration`;
    const mine = await hub.admin('/destinations', { body: { name: 'aff-1', config: { url: hook, match: { eventTypes: ['registration'], partners: ['aff-1'] } } } });
    expect(mine.status).toBe(201);
    await hub.admin('/destinations', { body: { name: 'aff-2', config: { url: `${receiver.url}/gg3-aff2`, match: { partners: ['aff-2'] } } } });
    const created = await link({ offerId: 'gg3_quest', partner: 'aff-1', config: { target: 'https://gg3.xyz/quests/complete-50-quests?click_id={click_id}&provider={partner}' } });
    expect(created.url).toBe(`${hub.url}/c/${created.id}`);

    const redirect = await click(`/c/${created.id}?click_id=67890&user_id=12345`);
    expect(redirect.status).toBe(302);
    const clickId = /click_id=([^&]+)&provider=aff-1$/.exec(redirect.location!)?.[1];
    expect(redirect.location).toBe(`https://gg3.xyz/quests/complete-50-quests?click_id=${clickId}&provider=aff-1`);
    expect(clickId).toMatch(/^[a-z0-9]{8,}[A-Za-z0-9_-]{16}$/);

    now += 60_000;
    const idempotencyKey = randomUUID();
    const event = await emit({ type: 'registration', userId: '12345', clickId, offerId: 'gg3_quest', idempotencyKey });
    expect(event).toMatchObject({ partner: 'aff-1', linkId: created.id, clickId, partnerClickId: '67890', flags: [], review: null });

    const before = receiver.received.length;
    await runWorker();
    await runWorker();
    const got = receiver.received.slice(before);
    expect(got.map((r) => r.url)).toEqual(['/gg3-aff1?userId=12345&clickId=67890&event=registration']);

    // The same event again is a duplicate: no second postback.
    await postJson(`${hub.url}/api/events`, { type: 'registration', userId: '12345', clickId, offerId: 'gg3_quest', idempotencyKey }, platform);
    await runWorker();
    expect(receiver.received.length).toBe(before + 1);

    expect(await storedClicks(created.id)).toEqual([expect.objectContaining({ id: clickId, partner: 'aff-1', userId: '12345', partnerClickId: '67890', ip: '127.0.0.1' })]);
  });

  it('partner postback API: a Play Store link whose referrer decodes to exactly pid, uid, gid; the level postback is attributed and credited', async () => {
    const uid = randomUUID();
    expect((await hub.admin('/users', { body: { id: uid } })).status).toBe(201);
    await hub.admin('/destinations', {
      body: { name: 'reward-partner', config: { url: `${receiver.url}/levels?u={user_id}&lvl={level}&c={click_id}&coins={coins}`, match: { partners: ['reward-partner'] } } },
    });
    const created = await link({ offerId: 'my_game', partner: 'reward-partner', config: { playStore: { package: 'com.example.mygame', pid: 'cashgiraffe' } } });

    const redirect = await click(`/c/${created.id}?sub=${uid}`);
    expect(redirect.status).toBe(302);
    expect(redirect.location).toBe(`https://play.google.com/store/apps/details?id=com.example.mygame&referrer=pid%3Dcashgiraffe%26uid%3D${uid}%26gid%3Dmy_game`);
    const referrer = new URL(redirect.location!).searchParams.get('referrer')!;
    expect(Object.fromEntries(new URLSearchParams(referrer))).toEqual({ pid: 'cashgiraffe', uid, gid: 'my_game' });
    // A Play Store link cannot attribute without its user.
    expect((await click(`/c/${created.id}`)).status).toBe(400);

    now += 3_600_000;
    const answer = await postJson(`${hub.url}/api/postback`, { pid: 'cashgiraffe', uid, gid: 'my_game', level_number: 5 }, platform);
    expect(answer.body).toMatchObject({ ok: true, awarded: true, level_number: 5, coinDelta: 25 });
    const [event] = (await hub.admin(`/events?user=${uid}`)).body.items;
    expect(event).toMatchObject({ partner: 'reward-partner', linkId: created.id, coins: 25 });
    const before = receiver.received.length;
    await runWorker();
    expect(receiver.received.slice(before).map((r) => r.url)).toEqual([`/levels?u=${uid}&lvl=5&c=${event.clickId}&coins=25`]);
  });

  it("Gamezop's link carries the user as sub", async () => {
    const created = await link({ offerId: 'survey', partner: 'gamezop', config: { target: 'https://www.gamezop.com/g/9lpHai56Q?sub={sub}' } });
    const redirect = await click(`/c/${created.id}?sub=d73e8d1d&__proto__=x&sub=second`);
    expect(redirect).toMatchObject({ status: 302, location: 'https://www.gamezop.com/g/9lpHai56Q?sub=d73e8d1d' });
    expect(await storedClicks(created.id)).toEqual([expect.objectContaining({ userId: 'd73e8d1d', partner: 'gamezop', query: JSON.parse('{"sub": "d73e8d1d", "__proto__": "x"}') })]);
  });

  it('answers a missing or disabled link with a 404 page, never a redirect', async () => {
    const missing = await click('/c/no-such-link');
    expect(missing.status).toBe(404);
    expect(missing.location).toBeNull();
    expect(missing.text).toContain('Link not found');
    const created = await link({ offerId: 'survey', config: { target: 'https://survey.example/?c={click_id}' } });
    expect((await click(`/c/${created.id}`)).status).toBe(302);
    expect((await hub.admin(`/links/${created.id}`, { method: 'PATCH', body: { enabled: false } })).status).toBe(200);
    expect((await click(`/c/${created.id}`)).status).toBe(404); // the click path's cached link is dropped at once
    expect((await hub.admin(`/links/${created.id}`, { method: 'DELETE' })).status).toBe(409);
    expect((await hub.admin('/links', { body: { offerId: 'nope', config: { target: 'https://a.example/' } } })).body).toMatchObject({ field: 'offerId' });
    expect((await hub.admin('/links', { body: { offerId: 'survey', config: { target: 'ftp://a.example/' } } })).body).toMatchObject({ field: 'config.target' });
  });

  it('refuses to delete a link whose click was answered a moment ago, its write still waiting for company', async () => {
    const created = await link({ offerId: 'survey', config: { target: 'https://survey.example/?c={click_id}' } });
    expect((await click(`/c/${created.id}`)).status).toBe(302);
    // At once: the click's write waits up to 10 ms behind the redirect; the deletion waits for it.
    expect((await hub.admin(`/links/${created.id}`, { method: 'DELETE' })).status).toBe(409);
  });

  it("attributes by user and offer as soon as the offer's first link exists, and screens by a policy as soon as it is set", async () => {
    const offer = `fresh-${randomUUID().slice(0, 8)}`;
    expect((await hub.admin('/offers', { body: { id: offer } })).status).toBe(201);
    // No link yet: nothing to attribute to (and the hub now knows the offer has none).
    expect(await emit({ type: 'signup', userId: 'fresh-1', offerId: offer })).toMatchObject({ partner: null, linkId: null });
    const created = await link({ offerId: offer, partner: 'p-fresh', config: { target: 'https://fresh.example/?c={click_id}' } });
    await click(`/c/${created.id}?sub=fresh-2`);
    now += 60_000;
    expect(await emit({ type: 'signup', userId: 'fresh-2', offerId: offer })).toMatchObject({ partner: 'p-fresh', linkId: created.id });
    // The clock is held still: only the change itself can end a cached policy.
    await setPolicy({ perUserPerOffer: { action: 'hold', max: 1 } });
    expect(await emit({ type: 'purchase', userId: 'fresh-2', offerId: offer })).toMatchObject({ review: 'held' });
    await setPolicy({});
    expect(await emit({ type: 'purchase', userId: 'fresh-2', offerId: offer })).toMatchObject({ review: null });
  });

  it("lists each link with its clicks and the conversions attributed to it, as the reports count them", async () => {
    expect((await hub.admin('/offers', { body: { id: 'counted' } })).status).toBe(201);
    const target = { target: 'https://counted.example/?c={click_id}' };
    const a = await link({ offerId: 'counted', partner: 'p-a', config: target });
    const b = await link({ offerId: 'counted', partner: 'p-b', config: target });
    const idle = await link({ offerId: 'counted', config: target });
    const [ua, ub] = [randomUUID(), randomUUID()];
    for (let i = 0; i < 3; i++) expect((await click(`/c/${a.id}?sub=${ua}`)).status).toBe(302);
    expect((await click(`/c/${b.id}?sub=${ub}`)).status).toBe(302);
    expect(await storedClicks(b.id)).toHaveLength(1);
    while ((await storedClicks(a.id)).length < 3) await new Promise((r) => setTimeout(r, 20));
    now += 60_000;
    // Two conversions on a's user (one sent twice: a duplicate is not a conversion), one on b's.
    const idempotencyKey = randomUUID();
    expect(await emit({ type: 'signup', userId: ua, offerId: 'counted', idempotencyKey })).toMatchObject({ linkId: a.id, outcome: 'accepted' });
    expect(await emit({ type: 'signup', userId: ua, offerId: 'counted', idempotencyKey })).toMatchObject({ outcome: 'duplicate' });
    await emit({ type: 'purchase', userId: ua, offerId: 'counted' });
    // b's second conversion is flagged, then rejected in review: no longer counted.
    await setPolicy({ perUserPerOffer: { action: 'flag', max: 1 } });
    expect(await emit({ type: 'signup', userId: ub, offerId: 'counted' })).toMatchObject({ linkId: b.id, review: null });
    const flagged = await emit({ type: 'purchase', userId: ub, offerId: 'counted' });
    expect(flagged).toMatchObject({ linkId: b.id, review: 'flagged' });
    const listed = async () => Object.fromEntries((await hub.admin('/links?offer=counted')).body.items.map((l: any) => [l.id, [l.clicks, l.conversions]]));
    expect(await listed()).toEqual({ [a.id]: [3, 2], [b.id]: [1, 2], [idle.id]: [0, 0] });
    expect((await hub.admin(`/events/${flagged.id}/reject`, { method: 'POST' })).status).toBe(200);
    expect(await listed()).toEqual({ [a.id]: [3, 2], [b.id]: [1, 1], [idle.id]: [0, 0] });
  });

  it('flags an unknown click id, and an expired one (not attributed)', async () => {
    const unknown = await emit({ type: 'signup', userId: 'u-unknown', clickId: 'never-issued' });
    expect(unknown).toMatchObject({ review: 'flagged', partner: null, flags: [{ check: 'unknown_click', action: 'flag', detail: 'click id "never-issued" was never issued' }] });

    const created = await link({ offerId: 'survey', partner: 'p-old', config: { target: 'https://survey.example/?c={click_id}' } });
    const clickId = new URL((await click(`/c/${created.id}?sub=u-old`)).location!).searchParams.get('c');
    now += 31 * DAY;
    const late = await emit({ type: 'signup', userId: 'u-old', clickId });
    expect(late).toMatchObject({ review: 'flagged', partner: null, flags: [expect.objectContaining({ check: 'expired_click' })] });
  });

  it('holds a conversion faster than the minimum; approval credits it and sends its postback', async () => {
    await setPolicy({ fastConversion: { action: 'hold', seconds: 30 } });
    const uid = randomUUID();
    await hub.admin('/users', { body: { id: uid } });
    await hub.admin('/destinations', { body: { name: 'fast', config: { url: `${receiver.url}/fast?u={user_id}`, match: { partners: ['p-fast'] } } } });
    const created = await link({ offerId: 'my_game', partner: 'p-fast', config: { playStore: { package: 'com.example.mygame', pid: 'cashgiraffe' } } });
    await click(`/c/${created.id}?sub=${uid}`);
    now += 5_000;
    const answer = await postJson(`${hub.url}/api/postback`, { pid: 'cashgiraffe', uid, gid: 'my_game', level_number: 5 }, platform);
    expect(answer.status).toBe(200);
    const [held] = (await hub.admin(`/events?user=${uid}`)).body.items;
    expect(held).toMatchObject({ review: 'held', coins: 0, flags: [expect.objectContaining({ check: 'fast_conversion', action: 'hold' })] });
    expect((await hub.admin(`/users/${uid}`)).body.coins).toBe(0);
    const before = receiver.received.length;
    await runWorker();
    expect(receiver.received.length).toBe(before); // nothing sent while held
    expect((await hub.admin(`/events?review=held&user=${uid}`)).body.items).toHaveLength(1);

    // Two operators approve at once: one wins, the other is told it is no longer held; one credit.
    const answers = await Promise.all([hub.admin(`/events/${held.id}/approve`, { method: 'POST' }), hub.admin(`/events/${held.id}/approve`, { method: 'POST' })]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    expect(answers.find((a) => a.status === 200)!.body).toMatchObject({ review: 'approved', coins: 25 });
    expect((await hub.admin(`/users/${uid}`)).body.coins).toBe(25);
    expect((await hub.admin(`/events/${held.id}`)).body).toMatchObject({ review: 'approved', coins: 25 });
    await runWorker();
    expect(receiver.received.slice(before).map((r) => r.url)).toEqual([`/fast?u=${uid}`]);
    expect((await hub.admin(`/events/${held.id}/approve`, { method: 'POST' })).status).toBe(409);
  });

  it('flags too many clicks from one address, and rejecting the flagged conversion takes its credit back', async () => {
    await setPolicy({ clicksPerIp: { action: 'flag', max: 2, windowMinutes: 60 } });
    const uid = randomUUID();
    await hub.admin('/users', { body: { id: uid } });
    const created = await link({ offerId: 'my_game', config: { playStore: { package: 'com.example.mygame', pid: 'cashgiraffe' } } });
    for (let i = 0; i < 3; i++) {
      await click(`/c/${created.id}?sub=${uid}`);
      now += 1000;
    }
    now += 60_000;
    await postJson(`${hub.url}/api/postback`, { pid: 'cashgiraffe', uid, gid: 'my_game', level_number: 10 }, platform);
    const [flagged] = (await hub.admin(`/events?user=${uid}`)).body.items;
    expect(flagged).toMatchObject({ review: 'flagged', coins: 25, flags: [expect.objectContaining({ check: 'clicks_per_ip', action: 'flag' })] });
    expect(flagged.flags[0].detail).toMatch(/^\d+ clicks from 127\.0\.0\.1 within 60 min \(maximum 2\)$/);
    expect((await hub.admin(`/users/${uid}`)).body.coins).toBe(25);

    const rejected = await hub.admin(`/events/${flagged.id}/reject`, { method: 'POST' });
    expect(rejected.body).toMatchObject({ review: 'rejected' });
    expect((await hub.admin(`/users/${uid}`)).body.coins).toBe(0);
    const ledger = (await hub.admin(`/users/${uid}/ledger`)).body.items;
    expect(ledger.map((e: { delta: number; kind: string }) => [e.delta, e.kind]).sort()).toEqual([
      [-25, 'reversal'],
      [25, 'milestone'],
    ]);
    expect((await hub.admin(`/events/${flagged.id}/reject`, { method: 'POST' })).status).toBe(409);
  });

  it('caps conversions per user per day, per offer per day and per user per offer', async () => {
    await setPolicy({ perUserPerDay: { action: 'flag', max: 2 }, perOfferPerDay: { action: 'flag', max: 3 }, perUserPerOffer: { action: 'hold', max: 1 } });
    const offer = `cap-${randomUUID().slice(0, 8)}`;
    await hub.admin('/offers', { body: { id: offer } });
    const first = await emit({ type: 'signup', userId: 'cap-a', offerId: offer });
    expect(first.flags).toEqual([]);
    const second = await emit({ type: 'purchase', userId: 'cap-a', offerId: offer });
    expect(second).toMatchObject({ review: 'held', flags: [expect.objectContaining({ check: 'per_user_per_offer', action: 'hold' })] });
    const third = await emit({ type: 'purchase', userId: 'cap-a', offerId: 'survey' });
    expect(third.flags.map((f: { check: string }) => f.check)).toEqual(['per_user_per_day']);
    await emit({ type: 'signup', userId: 'cap-b', offerId: offer });
    const fourth = await emit({ type: 'signup', userId: 'cap-c', offerId: offer });
    expect(fourth.flags.map((f: { check: string }) => f.check)).toEqual(['per_offer_per_day']);
    // The next day counts afresh.
    now += DAY;
    expect((await emit({ type: 'signup', userId: 'cap-d', offerId: offer })).flags).toEqual([]);
  });

  it('holds a user credited by the same offer twice; rejecting the held event credits nothing', async () => {
    await setPolicy({ repeatOfferCredit: 'hold' });
    const uid = randomUUID();
    await hub.admin('/users', { body: { id: uid } });
    const post = (level: number) => postJson(`${hub.url}/api/postback`, { pid: 'cashgiraffe', uid, gid: 'my_game', level_number: level }, platform);
    expect((await post(5)).body).toMatchObject({ awarded: true, coinDelta: 25 });
    await post(10);
    const [second] = (await hub.admin(`/events?user=${uid}`)).body.items;
    expect(second).toMatchObject({ level: 10, review: 'held', coins: 0, flags: [expect.objectContaining({ check: 'repeat_offer_credit' })] });
    expect((await hub.admin(`/events/${second.id}/reject`, { method: 'POST' })).body).toMatchObject({ review: 'rejected' });
    expect((await hub.admin(`/users/${uid}`)).body.coins).toBe(25);
    expect((await hub.admin(`/events/${second.id}/approve`, { method: 'POST' })).status).toBe(409);
  });

  it('reports clicks, conversions, rate, revenue and coins by offer, partner and day', async () => {
    const day = new Date(now - (now % DAY)).toISOString().slice(0, 10);
    const created = await link({ offerId: 'survey', partner: 'rep-partner', config: { target: 'https://survey.example/?c={click_id}' } });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(new URL((await click(`/c/${created.id}?sub=rep-${i}`)).location!).searchParams.get('c')!);
    now += 60_000;
    await emit({ type: 'purchase', userId: 'rep-0', clickId: ids[0], amount: '2.10', currency: 'USD' });
    await emit({ type: 'purchase', userId: 'rep-1', clickId: ids[1], amount: '0.40', currency: 'USD' });
    // A conversion of the offer without a click: counted, not in the conversion rate.
    await emit({ type: 'purchase', userId: 'rep-9', offerId: 'survey', amount: '1.00', currency: 'USD' });
    // Another currency is summed apart, never added to dollars.
    await emit({ type: 'purchase', userId: 'rep-8', offerId: 'survey', amount: '5.00', currency: 'EUR' });
    const from = new Date(now - (now % DAY)).toISOString();
    const to = new Date(now - (now % DAY) + DAY).toISOString();

    const byPartner = await hub.admin(`/reports?from=${from}&to=${to}&by=partner`);
    expect(byPartner.status).toBe(200);
    expect(byPartner.body.rows.find((r: { key: string }) => r.key === 'rep-partner')).toEqual({ key: 'rep-partner', clicks: 4, conversions: 2, attributedConversions: 2, conversionRate: 0.5, revenue: { USD: '2.50' }, coins: 0 });
    const byOffer = await hub.admin(`/reports?from=${from}&to=${to}&by=offer`);
    expect(byOffer.body.rows.find((r: { key: string }) => r.key === 'survey')).toMatchObject({ clicks: 4, conversions: 4, attributedConversions: 2, conversionRate: 0.5, revenue: { USD: '3.50', EUR: '5.00' } });
    const byDay = await hub.admin(`/reports?from=${from}&to=${to}&by=day`);
    expect(byDay.body.rows).toEqual([{ key: day, clicks: 4, conversions: 4, attributedConversions: 2, conversionRate: 0.5, revenue: { USD: '3.50', EUR: '5.00' }, coins: 0 }]);
    expect((await hub.admin(`/reports?from=${to}&to=${from}`)).status).toBe(400);
  });
});

describe.each(STORE_KINDS)('clicks on a clean shutdown on %s', (kind) => {
  it('writes every click id handed out before the store closes', async () => {
    const first = await startTestHub(kind, { worker: false });
    let second: TestHub | undefined;
    try {
      await first.admin('/offers', { body: { id: 'o' } });
      const created = (await first.admin('/links', { body: { id: 'burst', offerId: 'o', config: { target: 'https://x.example/?c={click_id}' } } })).body;
      const handedOut = await Promise.all(
        Array.from({ length: 300 }, async () => {
          const response = await fetch(`${created.url}?sub=u`, { redirect: 'manual' });
          return new URL(response.headers.get('location')!).searchParams.get('c')!;
        }),
      );
      await first.hub.close();
      second = await startTestHub(kind, { worker: false, db: first.db });
      const stored = new Set<string>();
      let cursor: string | null = null;
      do {
        const page: { body: { items: Array<{ id: string }>; nextCursor: string | null } } = await second.admin(`/clicks?limit=200${cursor === null ? '' : `&cursor=${cursor}`}`);
        for (const c of page.body.items) stored.add(c.id);
        cursor = page.body.nextCursor;
      } while (cursor !== null);
      expect(stored.size).toBe(300);
      expect(handedOut.every((id) => stored.has(id))).toBe(true);
    } finally {
      await second?.close();
      await first.db.cleanup();
    }
  }, 2 * HUB_START_MS + 30_000); // two hubs started one after the other, and 300 clicks
});

describe('clicks behind a reverse proxy', () => {
  it('records the client address from X-Forwarded-For only when TRUST_PROXY is set, and answers HEAD like GET', async () => {
    for (const trustProxy of [true, false]) {
      const hub = await startTestHub('sqlite', { worker: false, trustProxy });
      try {
        await hub.admin('/offers', { body: { id: 'o' } });
        await hub.admin('/links', { body: { id: 'proxied', offerId: 'o', config: { target: 'https://x.example/?c={click_id}' } } });
        const head = await fetch(`${hub.url}/c/proxied?sub=u`, { method: 'HEAD', redirect: 'manual', headers: { 'X-Forwarded-For': '203.0.113.7, 10.0.0.1', 'User-Agent': 'Mozilla/5.0 (Linux; Android 14)' } });
        expect(head.status).toBe(302);
        expect(head.headers.get('location')).toMatch(/^https:\/\/x\.example\/\?c=/);
        const deadline = Date.now() + 20_000;
        let items: Array<{ ip: string; userAgent: string | null }> = (await hub.admin('/clicks?link=proxied')).body.items;
        while (items.length === 0 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 20));
          items = (await hub.admin('/clicks?link=proxied')).body.items;
        }
        expect(items.map((c) => [c.ip, c.userAgent])).toEqual([[trustProxy ? '203.0.113.7' : '127.0.0.1', 'Mozilla/5.0 (Linux; Android 14)']]);
      } finally {
        await hub.close();
      }
    }
  }, 2 * HUB_START_MS + 30_000); // two hubs, one after the other
});
