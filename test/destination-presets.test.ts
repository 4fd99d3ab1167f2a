// Destinations made from presets, delivering to a real receiver on 127.0.0.1 on SQLite and
// PostgreSQL, the clock held still so that every retry time is checked exactly; and a
// Standard Webhooks secret brought from elsewhere, verified at the receiver.
import { createHmac, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS } from './helpers/stores.js';
import { postJson, startTestHub, type TestHub } from './helpers/hub.js';
import { startReceiver } from './helpers/receiver.js';
import { HUB_START_MS } from './helpers/timing.js';

// Secrets as another system made them: Svix's documented example, and 32 bytes of our own.
const IMPORTED = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const IMPORTED_NEXT = `whsec_${Buffer.alloc(32, 42).toString('base64')}`;

describe.each(STORE_KINDS)('destination presets on %s', (kind) => {
  let hub: TestHub;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let auth: Record<string, string>;
  let presets: Array<{ name: string; title: string; description: string; fill: Array<{ placeholder: string }>; config: Record<string, any> }>;
  // Held still by the test, starting now: receivers check a signature's timestamp.
  let now = Date.now();
  const clock = { now: () => now };

  beforeAll(async () => {
    hub = await startTestHub(kind, { worker: false, clock });
    receiver = await startReceiver();
    auth = { authorization: `Bearer ${(await hub.admin('/api-secrets', { body: {} })).body.secret}` };
    presets = (await hub.admin('/destination-presets')).body.items;
  }, HUB_START_MS);
  afterAll(async () => {
    await hub?.close();
    await receiver?.close();
  });

  const runWorker = () => hub.hub.services.worker.runOnce();
  const preset = (name: string) => presets.find((p) => p.name === name)!;
  /** A preset's URL as the operator fills it in, the tracker being the receiver. */
  const filled = (name: string, values: Record<string, string>) =>
    Object.entries(values).reduce((url, [placeholder, value]) => url.split(placeholder).join(value), preset(name).config.url as string).replace(/^https:\/\/[^/]*127\.0\.0\.1/, 'http://127.0.0.1');
  const receiverHost = () => receiver.url.slice('http://'.length);

  async function fromPreset(name: string, eventType: string, extra: Record<string, unknown> = {}, values: Record<string, string> = {}) {
    const url = filled(name, Object.fromEntries(preset(name).fill.map((f, i) => [f.placeholder, values[f.placeholder] ?? (i === 0 ? receiverHost() : `${eventType}-path`)])));
    const created = await hub.admin('/destinations', { body: { name: `${name} ${eventType}`, preset: name, config: { url, match: { eventTypes: [eventType] } }, ...extra } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body;
  }

  async function emit(type: string, extra: Record<string, unknown> = {}) {
    const answer = await postJson(`${hub.url}/api/events`, { type, idempotencyKey: `order-${randomUUID()}`, userId: `u-${randomUUID()}`, ...extra }, auth);
    expect(answer.status).toBe(200);
    return answer.body.eventId as string;
  }
  const deliveryOf = async (eventId: string) => ((await (await fetch(`${hub.url}/api/events/${eventId}`, { headers: auth })).json()) as any).deliveries[0];
  const arrivals = (path: string) => receiver.received.filter((r) => r.url.startsWith(path));

  it('lists every preset with what it is for, what to fill in, and its whole config', () => {
    expect(presets.map((p) => p.name)).toEqual(['gg3', 'momentscience', 'standard-webhooks', 'keitaro', 'everflow', 'affise', 'tune', 'voluum', 'binom', 'redtrack']);
    expect(preset('keitaro')).toMatchObject({
      title: 'Keitaro',
      fill: [{ placeholder: '<tracker-domain>' }, { placeholder: '<postback-key>' }],
      config: { method: 'GET', timeoutMs: 10_000, success: { kind: '2xx' }, retry: { kind: 'exponential' }, unknownMacros: 'empty' },
    });
    for (const p of presets) expect(p.description).not.toBe('');
  });

  it('refuses an unknown preset and a URL still holding a placeholder, naming the field', async () => {
    expect(await hub.admin('/destinations', { body: { name: 'x', preset: 'nope', config: { url: 'http://127.0.0.1:9/' } } })).toMatchObject({
      status: 400,
      body: { field: 'preset', message: expect.stringContaining('must be one of gg3, momentscience, standard-webhooks, keitaro') },
    });
    const unfilled = await hub.admin('/destinations', { body: { name: 'x', preset: 'keitaro', config: { url: preset('keitaro').config.url.replace('<tracker-domain>', '127.0.0.1:9') } } });
    expect(unfilled).toMatchObject({ status: 400, body: { field: 'config.url', message: "config.url still has <postback-key>: replace it with the partner's own values" } });
  });

  it("sends Keitaro's postback from its preset: the exact request the tracker gets", async () => {
    const dest = await fromPreset('keitaro', 'sale', {}, { '<postback-key>': 'e89bcbe' });
    expect(dest.config).toMatchObject({ url: `${receiver.url}/e89bcbe/postback?subid={click_id}&status=sale&payout={payout}&currency={currency}&tid={transaction_id}`, retry: { kind: 'exponential', baseMs: 30_000 } });
    const eventId = await emit('sale', { clickId: 'kt-5f2c9a', amount: '2.10', currency: 'usd', idempotencyKey: `order-1001-${kind}` });
    await runWorker();
    const [got] = arrivals('/e89bcbe/');
    expect(got).toMatchObject({ method: 'GET', url: `/e89bcbe/postback?subid=kt-5f2c9a&status=sale&payout=2.10&currency=USD&tid=order-1001-${kind}`, body: '' });
    const delivery = await deliveryOf(eventId);
    expect(got!.headers).toMatchObject({ 'user-agent': 'postback-hub', 'idempotency-key': delivery.id });
    expect(got!.headers).not.toHaveProperty('webhook-signature');
    expect(delivery).toMatchObject({ state: 'succeeded', attempts: 1, lastStatus: 200 });
  });

  it("counts a TUNE postback delivered only when TUNE answers success=true;", async () => {
    // The receiver stands in for NETWORK.go2cloud.org.
    const url = preset('tune').config.url.replace('https://<network-id>.go2cloud.org', receiver.url).replace('<offer-id>', '26');
    expect((await hub.admin('/destinations', { body: { name: 'tune', preset: 'tune', config: { url, match: { eventTypes: ['tune-sale'] } } } })).body.config.success).toEqual({ kind: 'body', equals: 'success=true;' });
    const eventId = await emit('tune-sale', { clickId: '1027c887059b47bc69c699f45466b9', amount: '5' });
    receiver.reply({ status: 200, body: 'success=false; err_msg=Invalid Trans. ID #1027c887059b47b.;' });
    await runWorker();
    const [refused] = arrivals('/aff_lsr');
    expect(refused!.url).toMatch(/^\/aff_lsr\?offer_id=26&transaction_id=1027c887059b47bc69c699f45466b9&amount=5\.00&adv_sub=order-/);
    const refusal = await deliveryOf(eventId);
    expect(refusal).toMatchObject({ state: 'pending', attempts: 1, lastStatus: 200, nextAttemptAt: expect.any(String) });
    now = Date.parse(refusal.nextAttemptAt);
    receiver.reply({ status: 200, body: 'success=true;\n' });
    await runWorker();
    expect(await deliveryOf(eventId)).toMatchObject({ state: 'succeeded', attempts: 2 });
  });

  // Before the retry tests move the held clock on: receivers refuse a signature timestamp 5 minutes off their clock.
  it('signs with an imported whsec_ secret the receiver already verifies, never showing it back', async () => {
    const dest = await fromPreset('standard-webhooks', 'signed', { signingSecret: IMPORTED });
    expect(dest).toMatchObject({ hasSigningSecret: true, config: { signing: { kind: 'standard-webhooks' } } });
    expect(dest).not.toHaveProperty('signingSecret');
    expect(JSON.stringify((await hub.admin(`/destinations/${dest.id}`)).body)).not.toContain(IMPORTED.slice(6));

    const eventId = await emit('signed', { amount: '1.5' });
    await runWorker();
    const [got] = arrivals('/signed-path');
    expect(got!.headers['webhook-id']).toBe((await deliveryOf(eventId)).id);
    expect(new Webhook(IMPORTED).verify(got!.body, got!.headers as Record<string, string>)).toMatchObject({ type: 'signed', data: { amount: '1.50' } });
    // The same by hand: HMAC-SHA256 of "id.timestamp.body" keyed with the secret's bytes.
    const expected = createHmac('sha256', Buffer.from(IMPORTED.slice('whsec_'.length), 'base64')).update(`${String(got!.headers['webhook-id'])}.${String(got!.headers['webhook-timestamp'])}.${got!.body}`).digest('base64');
    expect(got!.headers['webhook-signature']).toBe(`v1,${expected}`);

    // Imported again over it: the new one signs at once, the old one alongside during the grace period.
    const changed = await hub.admin(`/destinations/${dest.id}`, { method: 'PATCH', body: { signingSecret: IMPORTED_NEXT } });
    expect(changed.status).toBe(200);
    expect(changed.body).not.toHaveProperty('signingSecret');
    await emit('signed');
    await runWorker();
    const after = arrivals('/signed-path')[1]!;
    for (const secret of [IMPORTED_NEXT, IMPORTED]) expect(new Webhook(secret).verify(after.body, after.headers as Record<string, string>)).toBeTruthy();
  });

  it("retries GG3's webhook as GG3 does: 5 resends, the n-th n × 60 s after the failure before it", async () => {
    await fromPreset('gg3', 'registration');
    const eventId = await emit('registration', { clickId: 'gg3-click' });
    receiver.setDefault({ status: 503 });
    try {
      const start = now;
      let at = now;
      for (let attempt = 1; attempt <= 6; attempt++) {
        await runWorker();
        expect(arrivals('/registration-path')).toHaveLength(attempt);
        const delivery = await deliveryOf(eventId);
        if (attempt === 6) {
          expect(delivery).toMatchObject({ state: 'failed', attempts: 6, lastStatus: 503, nextAttemptAt: null });
          break;
        }
        expect(delivery).toMatchObject({ state: 'pending', attempts: attempt, nextAttemptAt: new Date(at + attempt * 60_000).toISOString() });
        // A millisecond early: not yet.
        now = at + attempt * 60_000 - 1;
        await runWorker();
        expect(arrivals('/registration-path')).toHaveLength(attempt);
        now += 1;
        at = now;
      }
      // 60 + 120 + 180 + 240 + 300 s.
      expect(now - start).toBe(900_000);
    } finally {
      receiver.setDefault({ status: 200, body: 'OK' });
    }
    const [first] = arrivals('/registration-path');
    expect(first!.url).toMatch(/^\/registration-path\?userId=u-[0-9a-f-]+&clickId=gg3-click&event=registration$/);
  });

  it("posts MomentScience's JSON, takes only a 200, and retries at 60, 90, 120, 150 s", async () => {
    await fromPreset('momentscience', 'ms-conversion');
    const eventId = await emit('ms-conversion', { amount: '2.10', offerId: '1511', occurredAt: '2023-09-20T15:27:40.802Z' });
    // A 202 is not MomentScience's 200 OK.
    receiver.reply({ status: 202 }, { status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    let at = now;
    for (const [attempt, delay] of [[1, 60_000], [2, 90_000], [3, 120_000], [4, 150_000]] as const) {
      await runWorker();
      expect(await deliveryOf(eventId)).toMatchObject({ state: 'pending', attempts: attempt, nextAttemptAt: new Date(at + delay).toISOString() });
      now = at + delay;
      at = now;
    }
    await runWorker();
    expect(await deliveryOf(eventId)).toMatchObject({ state: 'failed', attempts: 5, lastStatus: 500 });
    const sent = arrivals('/ms-conversion-path');
    expect(sent).toHaveLength(5);
    expect(sent[0]!.method).toBe('POST');
    expect(sent[0]!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(sent[0]!.body)).toEqual({ offer_id: '1511', advertiser_name: '', payout: '2.10', payload: { user_id: expect.stringMatching(/^u-/) }, timestamp: '2023-09-20T15:27:40.802Z', is_loyaltyboost: '0' });
  });

  it('refuses a secret that cannot sign, naming signingSecret', async () => {
    const signed = { url: 'http://127.0.0.1:9/hook', method: 'POST', body: '{}', signing: { kind: 'standard-webhooks' } };
    const create = (body: Record<string, unknown>) => hub.admin('/destinations', { body: { name: 'bad secret', config: signed, ...body } });
    expect(await create({ signingSecret: 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' })).toMatchObject({ status: 400, body: { field: 'signingSecret', message: 'signingSecret must start with whsec_' } });
    expect(await create({ signingSecret: 'whsec_c2hvcnQ=' })).toMatchObject({ status: 400, body: { field: 'signingSecret', message: 'signingSecret must hold 24 to 64 bytes (it holds 5)' } });
    expect(await create({ signingSecret: 'whsec_%%%' })).toMatchObject({ status: 400, body: { field: 'signingSecret' } });
    const unsigned = await hub.admin('/destinations', { body: { name: 'unsigned', config: { url: 'http://127.0.0.1:9/u' }, signingSecret: IMPORTED } });
    expect(unsigned).toMatchObject({ status: 400, body: { field: 'signingSecret', message: expect.stringContaining('needs config.signing') } });

    const dest = (await create({})).body;
    expect(dest.signingSecret).toMatch(/^whsec_/);
    const patch = (body: Record<string, unknown>) => hub.admin(`/destinations/${dest.id}`, { method: 'PATCH', body });
    expect(await patch({ signingSecret: 'whsec_' })).toMatchObject({ status: 400, body: { field: 'signingSecret' } });
    expect(await patch({ signingSecret: IMPORTED, rotateSigningSecret: true })).toMatchObject({ status: 400, body: { field: 'signingSecret' } });
  });
});
