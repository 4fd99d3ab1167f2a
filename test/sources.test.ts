// Inbound sources through HTTP against a real hub, on SQLite and PostgreSQL, with the partners'
// own examples.
import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS } from './helpers/stores.js';
import { postJson, startTestHub, type TestHub } from './helpers/hub.js';
import { HUB_START_MS } from './helpers/timing.js';

describe.each(STORE_KINDS)('inbound sources on %s', (kind) => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub(kind);
  }, HUB_START_MS);

  afterAll(async () => {
    await hub?.close();
  });

  let counter = 0;
  async function createSource(preset: string, overrides: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
    const slug = `${preset}-${++counter}-${kind}`;
    const created = await hub.admin('/sources', { body: { slug, preset, overrides, ...extra } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body as { slug: string; secret?: string; inboundUrl: string };
  }

  const get = async (url: string, headers: Record<string, string> = {}) => {
    const response = await fetch(url, { headers });
    const text = await response.text();
    const json = response.headers.get('content-type')?.startsWith('application/json') === true;
    return { status: response.status, body: json ? JSON.parse(text) : (text as any) };
  };

  async function eventsOf(source: string) {
    return (await hub.admin(`/events?source=${source}&limit=100`)).body.items as any[];
  }

  describe('admin API', () => {
    it('creates a source from a preset, shows its secret once, and lists it without it', async () => {
      const created = await createSource('gamezop');
      expect(created.secret).toMatch(/^pbh_/);
      expect(created.inboundUrl).toBe(`${hub.url}/postbacks/${created.slug}`);
      const read = await hub.admin(`/sources/${created.slug}`);
      expect(read.body).toMatchObject({ slug: created.slug, preset: 'gamezop', hasSecret: true, enabled: true });
      expect(read.body.secret).toBeUndefined();
      expect(read.body.definition.fields.user).toBe('user-id');
      expect(JSON.stringify((await hub.admin('/sources?limit=500')).body)).not.toContain(created.secret);
    });

    it('rotates the secret: the old one stops working at once', async () => {
      const { slug, secret } = await createSource('gamezop');
      const rotated = await hub.admin(`/sources/${slug}`, { method: 'PATCH', body: { rotateSecret: true } });
      expect(rotated.body.secret).toMatch(/^pbh_/);
      expect(rotated.body.secret).not.toBe(secret);
      const payload = { 'user-id': 'u', 'session-id': randomUUID(), 'your-estimated-revenue': '0.01' };
      expect((await postJson(`${hub.url}/postbacks/${slug}`, payload, { authorization: `Bearer ${secret}` })).status).toBe(401);
      expect((await postJson(`${hub.url}/postbacks/${slug}`, payload, { authorization: `Bearer ${rotated.body.secret}` })).status).toBe(200);
    });

    it.each([
      [{ slug: 'Bad Slug', preset: 'generic' }, 'slug'],
      [{ slug: 'x1', preset: 'nope' }, 'preset'],
      [{ slug: 'x2', preset: 'generic', overrides: { auth: [{ kind: 'ip-allowlist', cidrs: ['10.0.0.0/40'] }] } }, 'overrides.auth'],
      [{ slug: 'x3', preset: 'generic', overrides: { reward: { kind: 'revenue-share', coinsPerUsd: 1 } } }, 'overrides.reward'],
    ])('answers 400 naming the field for %j', async (body, field) => {
      const answer = await hub.admin('/sources', { body });
      expect(answer.status).toBe(400);
      expect(answer.body.field).toContain(field);
    });

    it('refuses a taken slug, and deletes', async () => {
      const { slug } = await createSource('generic');
      expect((await hub.admin('/sources', { body: { slug, preset: 'generic' } })).status).toBe(409);
      expect((await hub.admin(`/sources/${slug}`, { method: 'DELETE' })).status).toBe(204);
      expect((await get(`${hub.url}/postbacks/${slug}?user_id=u&transaction_id=t`)).status).toBe(404);
    });

    it('lists the presets', async () => {
      const presets = (await hub.admin('/presets')).body;
      expect(Object.keys(presets)).toEqual(expect.arrayContaining(['gamezop', 'gg3', 'momentscience', 'reward-levels', 'generic']));
    });
  });

  describe('gamezop (Gamezop session performance postbacks)', () => {
    const payload = () => ({
      'user-id': 'sub1',
      'session-id': randomUUID(),
      country: 'IN',
      'count-of-ads-viewed': 1,
      'your-estimated-revenue': '0.000012',
      'session-duration': 163,
    });

    it('records the session with the estimate kept exactly, and answers 200', async () => {
      const { slug, secret } = await createSource('gamezop', { reward: { kind: 'revenue-share', coinsPerUsd: 1_000_000, shareBps: 10_000, bufferBps: 2000 } });
      const body = payload();
      const answer = await postJson(`${hub.url}/postbacks/${slug}`, body, { authorization: `Bearer ${secret}` });
      // 0.000012 USD × 1,000,000 coins/USD × (1 − 20% buffer) = 9.6 → 9, never rounded up.
      expect(answer).toMatchObject({ status: 200, body: { ok: true, outcome: 'accepted', userId: 'sub1', coins: 9, balance: 9 } });
      const [event] = await eventsOf(slug);
      expect(event).toMatchObject({ outcome: 'accepted', externalId: body['session-id'], amount: '0.000012', currency: 'USD', coins: 9, type: 'session' });
      // The session's facts are the event's data ("record the payload data"), and the raw record keeps all.
      expect(event.metadata.data).toEqual({ country: 'IN', 'count-of-ads-viewed': '1', 'session-duration': '163' });
      expect(JSON.parse(event.raw.body)).toMatchObject({ country: 'IN', 'session-duration': 163 });

      const again = await postJson(`${hub.url}/postbacks/${slug}`, body, { authorization: `Bearer ${secret}` });
      expect(again).toMatchObject({ status: 200, body: { ok: true, duplicate: true } });
      expect((await hub.admin('/users/sub1')).body.coins).toBe(9);
    });

    it('refuses a missing token and a missing session id, recording why', async () => {
      const { slug, secret } = await createSource('gamezop');
      const unauthorized = await postJson(`${hub.url}/postbacks/${slug}`, payload());
      expect(unauthorized).toMatchObject({ status: 401, body: { error: 'unauthorized', message: 'secret missing (Authorization: Bearer)' } });
      const { 'session-id': _session, ...noSession } = payload();
      const invalid = await postJson(`${hub.url}/postbacks/${slug}`, noSession, { authorization: `Bearer ${secret}` });
      expect(invalid).toMatchObject({ status: 400, body: { field: 'session-id' } });
      const events = await eventsOf(slug);
      expect(events.map((e) => [e.outcome, e.reason])).toEqual([
        ['rejected', 'invalid_request'],
        ['rejected', 'unauthorized'],
      ]);
      expect(events[1].userId).toBe('sub1');
      // Refusals answered with the hub's own error are counted like any other outcome.
      const metrics = await (await fetch(`${hub.url}/metrics`)).text();
      expect(metrics).toContain(`postback_hub_postbacks_total{source="${slug}",outcome="rejected"} 2`);
    });

    it('takes an estimate finer than a micro-unit, cut toward zero, keeping what the partner sent', async () => {
      const { slug, secret } = await createSource('gamezop');
      const answer = await postJson(`${hub.url}/postbacks/${slug}`, { ...payload(), 'your-estimated-revenue': '0.0000125' }, { authorization: `Bearer ${secret}` });
      expect(answer.status).toBe(200);
      const [event] = await eventsOf(slug);
      expect(event).toMatchObject({ outcome: 'accepted', amount: '0.000012' });
      expect(event.metadata.partnerAmount).toBe('0.0000125');
    });

    it('can run without the optional token', async () => {
      const { slug } = await createSource('gamezop', { auth: [] });
      expect((await postJson(`${hub.url}/postbacks/${slug}`, payload())).status).toBe(200);
    });
  });

  describe('gg3 (GG3 Postback S2S)', () => {
    it('takes the sample postback and the multi-event one by GET', async () => {
      const { slug, secret } = await createSource('gg3', { reward: { kind: 'fixed', coins: 10, byEventType: { purchase: 50 } } });
      const user = `gg3-${randomUUID()}`;
      const sample = await get(`${hub.url}/postbacks/${slug}?user_id=${user}&click_id=67890&transaction_id=123123123&currency=USD&amount_decimal=100.00&secret=${secret}`);
      expect(sample).toMatchObject({ status: 200, body: { outcome: 'accepted', coins: 10 } });
      const multi = await get(`${hub.url}/postbacks/${slug}?user_id=${user}&click_id=67890&currency=USD&amount_decimal=100.00&event_id=001&event_name=purchase&secret=${secret}`);
      expect(multi).toMatchObject({ status: 200, body: { outcome: 'accepted', coins: 50, balance: 60 } });
      const events = await eventsOf(slug);
      expect(events.map((e) => [e.externalId, e.type, e.clickId, e.amount])).toEqual([
        ['67890|001', 'purchase', '67890', '100.00'],
        ['123123123', 'conversion', '67890', '100.00'],
      ]);
      expect(events[0].metadata.data).toEqual({ event_id: '001' });
      expect((await get(`${hub.url}/postbacks/${slug}?user_id=${user}&transaction_id=123123123&secret=${secret}`)).body.duplicate).toBe(true);
      expect((await get(`${hub.url}/postbacks/${slug}?user_id=${user}&transaction_id=9&secret=wrong`)).status).toBe(401);
    });

    it('takes a postback with neither transaction nor event id once per click (event_id is optional)', async () => {
      const { slug, secret } = await createSource('gg3');
      const url = `${hub.url}/postbacks/${slug}?user_id=u-${randomUUID()}&click_id=c-${randomUUID()}&currency=USD&amount_decimal=1.00&secret=${secret}`;
      expect(await get(url)).toMatchObject({ status: 200, body: { outcome: 'accepted' } });
      expect(await get(url)).toMatchObject({ status: 200, body: { duplicate: true } });
    });
  });

  describe('momentscience (MomentScience postbacks)', () => {
    it('takes GET and POST, applies loyaltyboost, and treats both forms of one conversion as one', async () => {
      const { slug, secret } = await createSource('momentscience');
      const user = `ms-${randomUUID()}`;
      const query = `payout=2.10&timestamp=2023-09-20T15:27:40.802Z&offer_id=1511&advertiser_name=momentscience&is_loyaltyboost=0&user_id=${user}`;
      const viaGet = await get(`${hub.url}/postbacks/${slug}?${query}&secret=${secret}`);
      // 2.10 USD × 1000 coins/USD = 2100.
      expect(viaGet).toMatchObject({ status: 200, body: { outcome: 'accepted', coins: 2100 } });
      const body = {
        offer_id: '1511',
        advertiser_name: 'momentscience',
        payout: '2.10',
        payload: { user_id: user, session_id: 'a90310222' },
        timestamp: '2023-09-20T15:27:40.802Z',
        is_loyaltyboost: '0',
      };
      const viaPost = await postJson(`${hub.url}/postbacks/${slug}?secret=${secret}`, body);
      expect(viaPost).toMatchObject({ status: 200, body: { duplicate: true } });
      const boosted = await postJson(`${hub.url}/postbacks/${slug}?secret=${secret}`, { ...body, offer_id: '1512', is_loyaltyboost: '1' });
      expect(boosted).toMatchObject({ status: 200, body: { coins: 4200, balance: 6300 } });
      expect((await eventsOf(slug))[0].metadata).toMatchObject({ boosted: true, data: { advertiser_name: 'momentscience' } });
    });

    it("takes MomentScience's custom-template GET, which carries no timestamp, once per offer and user", async () => {
      const { slug, secret } = await createSource('momentscience');
      const url = `${hub.url}/postbacks/${slug}?payout=2.10&user_id=3410444&offer_id=1511&secret=${secret}`;
      expect(await get(url)).toMatchObject({ status: 200, body: { outcome: 'accepted', coins: 2100 } });
      expect(await get(url)).toMatchObject({ status: 200, body: { duplicate: true } });
      expect((await eventsOf(slug))[1]).toMatchObject({ externalId: '1511||3410444', amount: '2.10' });
    });
  });

  describe('generic sources', () => {
    it('verifies an HMAC over the URL and refuses a tampered amount', async () => {
      const { slug, secret } = await createSource('generic', {
        fields: { user: 'uid', externalId: 'tx', reward: 'val' },
        reward: { kind: 'partner-amount' },
        auth: [{ kind: 'signature', scheme: { kind: 'hmac', algorithm: 'sha1', encoding: 'hex', location: { query: 'hash' }, message: { kind: 'url-without-signature' } } }],
      });
      const path = `/postbacks/${slug}?uid=${randomUUID()}&tx=${randomUUID()}&val=500`;
      const hash = createHmac('sha1', secret!).update(`${hub.url}${path}`).digest('hex');
      expect(await get(`${hub.url}${path}&hash=${hash}`)).toMatchObject({ status: 200, body: { coins: 500 } });
      const tampered = await get(`${hub.url}${path.replace('val=500', 'val=900')}&hash=${hash}`);
      expect(tampered).toMatchObject({ status: 401, body: { message: 'signature does not match (hmac sha1 over url-without-signature)' } });
    });

    it('takes back a reversed conversion once, and answers as the partner expects', async () => {
      const { slug, secret } = await createSource('generic', {
        fields: { user: 'user', externalId: 'tx', reward: 'points', status: 'status' },
        reward: { kind: 'partner-amount' },
        reversal: { kind: 'status', values: ['2'] },
        auth: [{ kind: 'secret-query', param: 'key' }],
        answer: { format: 'text', success: { status: 200, body: '{external_id}:OK' }, rejected: { status: 200, body: '0' } },
      });
      const user = randomUUID();
      const url = (status: string, tx = 't-1') => `${hub.url}/postbacks/${slug}?user=${user}&tx=${tx}&points=40&status=${status}&key=${secret}`;
      expect(await get(url('1'))).toEqual({ status: 200, body: 't-1:OK' });
      expect((await hub.admin(`/users/${user}`)).body.coins).toBe(40);
      expect(await get(url('2'))).toEqual({ status: 200, body: 't-1:OK' });
      expect(await get(url('2'))).toEqual({ status: 200, body: 't-1:OK' });
      expect((await hub.admin(`/users/${user}`)).body.coins).toBe(0);
      const ledger = (await hub.admin(`/users/${user}/ledger`)).body.items;
      expect(ledger.map((e: any) => [e.kind, e.delta])).toEqual([
        ['reversal', -40],
        ['reward', 40],
      ]);
      // Reversing what was never credited is refused (here with the source's text answer).
      expect(await get(url('2', 't-404'))).toEqual({ status: 200, body: '0' });
      expect((await eventsOf(slug))[0]).toMatchObject({ outcome: 'rejected', reason: 'original_not_found' });
    });

    it('refuses addresses outside the allowlist and replays outside the tolerance', async () => {
      const allow = await createSource('generic', { auth: [{ kind: 'ip-allowlist', cidrs: ['10.0.0.0/8'] }] });
      const denied = await get(`${hub.url}/postbacks/${allow.slug}?user_id=u&transaction_id=t`);
      expect(denied).toMatchObject({ status: 401, body: { message: 'address 127.0.0.1 is not in the allowlist' } });
      const loopback = await createSource('generic', { auth: [{ kind: 'ip-allowlist', cidrs: ['127.0.0.0/8', '::1'] }] });
      expect((await get(`${hub.url}/postbacks/${loopback.slug}?user_id=u&transaction_id=t`)).status).toBe(200);

      const fresh = await createSource('generic', { auth: [{ kind: 'timestamp', path: 'ts', toleranceSeconds: 300 }] });
      const now = Math.floor(Date.now() / 1000);
      expect((await get(`${hub.url}/postbacks/${fresh.slug}?user_id=u&transaction_id=t1&ts=${now}`)).status).toBe(200);
      const replay = await get(`${hub.url}/postbacks/${fresh.slug}?user_id=u&transaction_id=t2&ts=${now - 3600}`);
      expect(replay.status).toBe(401);
      expect(replay.body.message).toMatch(/^timestamp ts is 3\d{3} s away from now \(tolerance 300 s\)$/);
      expect((await eventsOf(fresh.slug))[0]).toMatchObject({ outcome: 'rejected', reason: 'unauthorized' });
    });

    it('never stores a secret sent in the query, whatever its name', async () => {
      const { slug, secret } = await createSource('generic', { auth: [{ kind: 'secret-query', param: 'sk' }] });
      expect((await get(`${hub.url}/postbacks/${slug}?user_id=u&transaction_id=${randomUUID()}&sk=${secret}`)).status).toBe(200);
      expect((await get(`${hub.url}/postbacks/${slug}?user_id=u&transaction_id=${randomUUID()}&sk=wrong-guess`)).status).toBe(401);
      const events = await eventsOf(slug);
      expect(events.map((e) => e.raw.query.sk)).toEqual(['[redacted]', '[redacted]']);
      expect(JSON.stringify(events)).not.toContain(secret);
    });

    it('converts other currencies through the source rates, and says when it has no rate', async () => {
      const { slug } = await createSource('generic', {
        fields: { user: 'user_id', externalId: 'transaction_id', amount: 'amount', currency: 'currency' },
        reward: { kind: 'revenue-share', coinsPerUsd: 1000, shareBps: 10_000, bufferBps: 0 },
        usdRates: { EUR: '1.08' },
      });
      const user = randomUUID();
      const eur = await get(`${hub.url}/postbacks/${slug}?user_id=${user}&transaction_id=${randomUUID()}&amount=2.50&currency=eur`);
      // 2.50 EUR × 1.08 = 2.70 USD → 2700 coins.
      expect(eur.body).toMatchObject({ outcome: 'accepted', coins: 2700 });
      const gbp = await get(`${hub.url}/postbacks/${slug}?user_id=${user}&transaction_id=${randomUUID()}&amount=2.50&currency=GBP`);
      expect(gbp.body).toMatchObject({ outcome: 'accepted', coins: 0 });
      expect((await eventsOf(slug))[0]).toMatchObject({ amount: '2.50', currency: 'GBP', metadata: { rewardNote: 'no USD rate for GBP: recorded without a revenue-based reward' } });
    });

    it('answers each outcome with the status the partner wants', async () => {
      const json = await createSource('generic', { answer: { format: 'json', successStatus: 201, duplicateStatus: 208, rejectedStatus: { invalid_request: 422 } } });
      const tx = randomUUID();
      expect((await get(`${hub.url}/postbacks/${json.slug}?user_id=u&transaction_id=${tx}`)).status).toBe(201);
      expect((await get(`${hub.url}/postbacks/${json.slug}?user_id=u&transaction_id=${tx}`)).status).toBe(208);
      expect(await get(`${hub.url}/postbacks/${json.slug}?user_id=u`)).toMatchObject({ status: 422, body: { ok: false, error: 'invalid_request', field: 'transaction_id' } });

      const text = await createSource('generic', {
        auth: [{ kind: 'secret-query', param: 'key' }],
        answer: { format: 'text', success: { status: 200, body: '1' }, rejected: { status: 400, body: '0' }, rejectedBy: { unauthorized: { status: 403, body: 'denied' } } },
      });
      expect(await get(`${hub.url}/postbacks/${text.slug}?user_id=u&transaction_id=t&key=nope`)).toEqual({ status: 403, body: 'denied' });
      expect(await get(`${hub.url}/postbacks/${text.slug}?user_id=u&key=${text.secret}`)).toEqual({ status: 400, body: '0' });
    });

    it('holds a user to the daily cap', async () => {
      const { slug } = await createSource('generic', { reward: { kind: 'fixed', coins: 30 }, modifiers: { dailyCap: 50 } });
      const user = randomUUID();
      const coins = [];
      for (let i = 0; i < 3; i++) coins.push((await get(`${hub.url}/postbacks/${slug}?user_id=${user}&transaction_id=${randomUUID()}`)).body.coins);
      expect(coins).toEqual([30, 20, 0]);
      expect((await hub.admin(`/users/${user}`)).body.coins).toBe(50);
    });

    it('refuses unknown users when the source requires them to exist', async () => {
      const { slug, secret } = await createSource('reward-levels');
      const uid = randomUUID();
      const level = { pid: 'any', uid, gid: 'g', level_number: 5 };
      expect(await postJson(`${hub.url}/postbacks/${slug}`, level, { 'x-reward-api-secret': secret! })).toMatchObject({ status: 404, body: { error: 'user_not_found' } });
      await hub.admin('/users', { body: { id: uid } });
      expect(await postJson(`${hub.url}/postbacks/${slug}`, level, { authorization: `Bearer ${secret}` })).toMatchObject({ status: 200, body: { coins: 25 } });
    });

    it('answers 404 for an unknown source and 415 for a body it cannot read', async () => {
      expect((await get(`${hub.url}/postbacks/no-such-source?user_id=u`)).status).toBe(404);
      const { slug } = await createSource('generic');
      const xml = await fetch(`${hub.url}/postbacks/${slug}`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<x/>' });
      expect(xml.status).toBe(415);
      const form = await fetch(`${hub.url}/postbacks/${slug}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'user_id=f&transaction_id=form-1' });
      expect(form.status).toBe(200);
    });
  });
});
