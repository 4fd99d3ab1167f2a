// Deliveries to real receivers on 127.0.0.1, on SQLite and PostgreSQL, with the clock held
// still so that every retry time is checked exactly.
import { createHmac, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../src/lib/secret-box.js';
import { createTestDatabase, STORE_KINDS } from './helpers/stores.js';
import { postJson, startTestHub, TEST_SECRET_KEY, type TestHub } from './helpers/hub.js';
import { startReceiver } from './helpers/receiver.js';
import { HUB_START_MS } from './helpers/timing.js';
import { parseCsv } from './helpers/browser.js';
import { destinationsDal } from '../src/features/destinations/destinations-dal.js';

describe.each(STORE_KINDS)('delivery to partners on %s', (kind) => {
  let hub: TestHub;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let auth: Record<string, string>;
  // Held still by the test, but starting now: receivers check the signature's timestamp.
  let now = Date.now();
  const clock = { now: () => now };

  beforeAll(async () => {
    hub = await startTestHub(kind, { worker: false, clock });
    receiver = await startReceiver();
    auth = { authorization: `Bearer ${(await hub.admin('/api-secrets', { body: {} })).body.secret}` };
  }, HUB_START_MS);
  afterAll(async () => {
    await hub?.close();
    await receiver?.close();
  });

  const runWorker = () => hub.hub.services.worker.runOnce();

  async function destination(type: string, config: Record<string, unknown>) {
    const created = await hub.admin('/destinations', { body: { name: type, config: { match: { eventTypes: [type] }, ...config } } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body;
  }

  async function emit(type: string, userId = `u-${randomUUID()}`) {
    const answer = await postJson(`${hub.url}/api/events`, { type, idempotencyKey: randomUUID(), userId, clickId: 'click-7', data: { campaign: 'spring' } }, auth);
    expect(answer.status).toBe(200);
    return { eventId: answer.body.eventId as string, userId };
  }

  const deliveryOf = async (eventId: string) => ((await (await fetch(`${hub.url}/api/events/${eventId}`, { headers: auth })).json()) as any).deliveries[0];

  it("fills MomentScience's macros from its own conversion: payout as sent, advertiser, a payload key by its own name", async () => {
    const source = await hub.admin('/sources', { body: { slug: `ms-out-${kind}`, preset: 'momentscience' } });
    expect(source.status).toBe(201);
    // MomentScience's macros are the hub's own: a destination that refuses unknown macros takes them.
    const strict = { url: `${receiver.url}/strict?a={advertiser_name}&t={occurred_at}&p={payout}&lb={is_loyaltyboost}`, unknownMacros: 'error' };
    const created = await hub.admin('/destinations', { body: { name: 'strict', enabled: false, config: strict } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await hub.admin('/destinations', {
      body: {
        name: 'ms-publisher',
        config: {
          match: { sources: [source.body.slug] },
          unknownMacros: 'keep',
          url: `${receiver.url}/ms?payout={payout}&user_id={user_id}&offer_id={offer_id}&adv={advertiser_name}&s={session_id}&lb={is_loyaltyboost}&at={occurred_at}`,
        },
      },
    });
    const user = `ms-${randomUUID()}`;
    const body = { offer_id: '1511', advertiser_name: 'momentscience', payout: '2.10', payload: { user_id: user, session_id: 'a90310222' }, timestamp: '2023-09-20T15:27:40.802Z', is_loyaltyboost: '0' };
    expect((await postJson(`${hub.url}/postbacks/${source.body.slug}?secret=${source.body.secret}`, body)).status).toBe(200);
    const before = receiver.received.length;
    await runWorker();
    const got = receiver.received.slice(before).find((r) => r.url.startsWith('/ms?'))!;
    expect(got.url).toBe(`/ms?payout=2.10&user_id=${user}&offer_id=1511&adv=momentscience&s=a90310222&lb=0&at=2023-09-20T15%3A27%3A40.802Z`);
    const history = (await hub.admin(`/deliveries?limit=20`)).body.items as any[];
    expect(history.find((d) => d.userId === user)).toMatchObject({ advertiser: 'momentscience', payout: '2.10' });
  });

  it('sends a signed POST once, with the delivery id as idempotency key', async () => {
    const dest = await destination('signup', {
      url: `${receiver.url}/hook?userId={userId}&clickId={clickId}&event=registration`,
      method: 'POST',
      body: '{"user":"{user_id}","campaign":"{payload.campaign}"}',
      signing: { kind: 'standard-webhooks' },
    });
    const { eventId, userId } = await emit('signup');
    const before = receiver.received.length;
    expect(await runWorker()).toBeGreaterThanOrEqual(1);
    const got = receiver.received.slice(before).find((r) => r.url.includes(userId))!;
    expect(got.url).toBe(`/hook?userId=${userId}&clickId=click-7&event=registration`);
    expect(JSON.parse(got.body)).toEqual({ user: userId, campaign: 'spring' });
    const delivery = await deliveryOf(eventId);
    expect(got.headers['idempotency-key']).toBe(delivery.id);
    expect(new Webhook(dest.signingSecret).verify(got.body, got.headers as Record<string, string>)).toBeTruthy();
    expect(delivery).toMatchObject({ state: 'succeeded', attempts: 1, lastStatus: 200 });
  });

  it('signs with a rotated secret from the first delivery after the rotation, the old one alongside during its grace', async () => {
    const dest = await destination('rotated', { url: `${receiver.url}/rotated`, method: 'POST', body: '{"user":"{user_id}"}', signing: { kind: 'standard-webhooks' } });
    const sent = () => receiver.received.filter((r) => r.url === '/rotated');
    await emit('rotated');
    await runWorker(); // the worker now holds the destination, its secret opened
    expect(new Webhook(dest.signingSecret).verify(sent()[0]!.body, sent()[0]!.headers as Record<string, string>)).toBeTruthy();
    // At the same millisecond (the clock is held still): a change must show all the same.
    const rotated = await hub.admin(`/destinations/${dest.id}`, { method: 'PATCH', body: { rotateSigningSecret: true } });
    expect(rotated.status).toBe(200);
    await emit('rotated');
    await runWorker();
    const after = sent()[1]!;
    expect(new Webhook(rotated.body.signingSecret).verify(after.body, after.headers as Record<string, string>)).toBeTruthy();
    expect(new Webhook(dest.signingSecret).verify(after.body, after.headers as Record<string, string>)).toBeTruthy();
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(2);
  });

  it("fails a delivery whose destination's secrets this process cannot open, with the reason, rather than leave it leased", async () => {
    const dest = await destination('foreign-key', { url: `${receiver.url}/foreign`, signing: { kind: 'standard-webhooks' } });
    // Sealed by a process with another SECRET_KEY, sharing the database.
    const elsewhere = SecretBox.fromText(SecretBox.generateKeyText());
    await destinationsDal(hub.hub.db).updateDestination(dest.id, { secretsCiphertext: elsewhere.seal(JSON.stringify({ signingSecret: 'whsec_c2VhbGVkIGVsc2V3aGVyZQ==' })) }, now);
    const first = await emit('foreign-key');
    const second = await emit('foreign-key');
    await runWorker();
    const reason = "the destination's secrets cannot be opened with this process's SECRET_KEY";
    for (const { eventId } of [first, second]) expect(await deliveryOf(eventId)).toMatchObject({ state: 'failed', attempts: 1, lastError: reason });
    expect(receiver.received.filter((r) => r.url === '/foreign')).toEqual([]);
    // Replayable once mended: sealed again with this process's key.
    await destinationsDal(hub.hub.db).updateDestination(dest.id, { secretsCiphertext: SecretBox.fromText(TEST_SECRET_KEY).seal(JSON.stringify({ signingSecret: dest.signingSecret })) }, now);
    expect((await hub.admin('/deliveries/replay', { body: { destination: dest.id } })).body).toEqual({ replayed: 2 });
    await runWorker();
    for (const { eventId } of [first, second]) expect(await deliveryOf(eventId)).toMatchObject({ state: 'succeeded', lastError: null });
    expect(receiver.received.filter((r) => r.url === '/foreign')).toHaveLength(2);
  });

  it('signs with a body HMAC header, and follows a redirect when the destination allows it', async () => {
    const dest = await destination('hmac', {
      url: `${receiver.url}/first`,
      method: 'POST',
      body: '{"user":"{user_id}"}',
      signing: { kind: 'hmac-header', header: 'X-Hub-Signature', algorithm: 'sha256' },
      followRedirects: true,
    });
    const { eventId } = await emit('hmac');
    receiver.reply({ status: 307, headers: { location: `${receiver.url}/second` } });
    await runWorker();
    const [first, second] = receiver.received.slice(-2);
    expect([first!.url, second!.url]).toEqual(['/first', '/second']);
    expect(second!.headers['x-hub-signature']).toBe(createHmac('sha256', dest.signingSecret).update(second!.body).digest('hex'));
    expect(await deliveryOf(eventId)).toMatchObject({ state: 'succeeded', lastStatus: 200 });
  });

  it('retries a 500 exactly when the linear policy says, then succeeds', async () => {
    await destination('deposit', { url: `${receiver.url}/deposit`, retry: { kind: 'linear', intervalMs: 60_000, resends: 5 } });
    const { eventId } = await emit('deposit');
    receiver.reply({ status: 500, body: 'down' });
    await runWorker();
    const failed = await deliveryOf(eventId);
    expect(failed).toMatchObject({ state: 'pending', attempts: 1, lastStatus: 500, nextAttemptAt: new Date(now + 60_000).toISOString() });
    now += 59_999;
    await runWorker();
    expect((await deliveryOf(eventId)).attempts).toBe(1);
    now += 1;
    await runWorker();
    expect(await deliveryOf(eventId)).toMatchObject({ state: 'succeeded', attempts: 2, lastStatus: 200 });
  });

  it('honours Retry-After on a 429', async () => {
    await destination('withdrawal', { url: `${receiver.url}/w`, retry: { kind: 'schedule', delaysMs: [0, 60_000, 90_000, 120_000, 150_000] } });
    const { eventId } = await emit('withdrawal');
    receiver.reply({ status: 429, headers: { 'retry-after': '300' } });
    await runWorker();
    expect(await deliveryOf(eventId)).toMatchObject({ state: 'pending', lastStatus: 429, nextAttemptAt: new Date(now + 300_000).toISOString() });
    now += 300_000;
    await runWorker();
  });

  it('records a timeout, a reset and an unfollowed redirect as failed attempts, then fails for good', async () => {
    await destination('game_activity', { url: `${receiver.url}/g`, timeoutMs: 300, retry: { kind: 'schedule', delaysMs: [0, 1000, 1000, 1000] } });
    const { eventId } = await emit('game_activity');
    receiver.reply({ hang: true });
    await runWorker();
    expect(await deliveryOf(eventId)).toMatchObject({ state: 'pending', attempts: 1, lastStatus: null, lastError: 'timeout after 300 ms' });
    now += 1000;
    receiver.reply({ reset: true });
    await runWorker();
    const reset = await deliveryOf(eventId);
    expect(reset).toMatchObject({ attempts: 2, lastStatus: null });
    expect(reset.lastError).toMatch(/socket|ECONNRESET|other side closed/i);
    now += 1000;
    receiver.reply({ status: 302, headers: { location: `${receiver.url}/elsewhere` } });
    await runWorker();
    expect(await deliveryOf(eventId)).toMatchObject({ attempts: 3, lastStatus: 302, state: 'pending' });
    now += 1000;
    receiver.reply({ status: 503 });
    await runWorker();
    expect(await deliveryOf(eventId)).toMatchObject({ attempts: 4, state: 'failed', nextAttemptAt: null });
    expect(receiver.received.some((r) => r.url === '/elsewhere')).toBe(false);
  });

  it('pauses a destination that answers 410 Gone, keeping its deliveries', async () => {
    const dest = await destination('level', { url: `${receiver.url}/gone` });
    const { eventId } = await emit('level');
    receiver.reply({ status: 410 });
    await runWorker();
    expect((await hub.admin(`/destinations/${dest.id}`)).body).toMatchObject({ paused: { reason: '410 Gone' } });
    const second = await emit('level');
    now += 3_600_000;
    await runWorker();
    expect(await deliveryOf(eventId)).toMatchObject({ state: 'pending', attempts: 1 });
    expect(await deliveryOf(second.eventId)).toMatchObject({ state: 'pending', attempts: 0 });

    // Pausing by hand keeps the first pause's time and reason.
    expect((await hub.admin(`/destinations/${dest.id}/pause`, { method: 'POST' })).body.paused).toMatchObject({ reason: '410 Gone' });
    // Resumed, its waiting deliveries go out.
    const paused = await (await fetch(`${hub.url}/metrics`)).text();
    expect(paused).toMatch(/^postback_hub_destinations_paused [1-9]/m);
    expect(paused).toContain(`postback_hub_deliveries{destination="${dest.id}",state="pending"} 2`);
    expect(paused).toMatch(/^postback_hub_delivery_queue_depth [1-9]/m);
    expect(paused).toMatch(/^postback_hub_oldest_due_delivery_age_seconds \d/m);
    expect(paused).toContain('postback_hub_delivery_attempts_total{destination=');

    expect((await hub.admin(`/destinations/${dest.id}/resume`, { method: 'POST' })).body).toMatchObject({ paused: null, consecutiveFailures: 0 });
    await runWorker();
    expect(await deliveryOf(eventId)).toMatchObject({ state: 'succeeded', attempts: 2 });
    expect(await deliveryOf(second.eventId)).toMatchObject({ state: 'succeeded', attempts: 1 });
  });

  it('keeps every attempt, without secrets', async () => {
    const dest = await destination('purchase', { url: `${receiver.url}/p?u={user_id}`, headers: { 'X-Partner-Token': 'tok-{user_id}', 'X-Campaign': 'spring' }, retry: { kind: 'linear', intervalMs: 1000, resends: 2 } });
    await hub.admin(`/destinations/${dest.id}`, { method: 'PATCH', body: { bearerToken: 'partner-token' } });
    await hub.admin('/destinations', { body: { name: 'unused', config: { url: `${receiver.url}/x`, match: { eventTypes: ['nothing'] } } } });
    const { eventId, userId } = await emit('purchase');
    receiver.reply({ status: 500, body: 'x'.repeat(5000) });
    await runWorker();
    now += 1000;
    await runWorker();
    const delivery = await deliveryOf(eventId);
    const history = await hub.admin(`/deliveries/${delivery.id}`);
    expect(history.body).toMatchObject({ state: 'succeeded', attempts: 2 });
    expect(history.body.history.map((a: any) => [a.attempt, a.status, a.url])).toEqual([
      [1, 500, `${receiver.url}/p?u=${userId}`],
      [2, 200, `${receiver.url}/p?u=${userId}`],
    ]);
    expect(history.body.history[0].responseExcerpt).toHaveLength(2048);
    expect(history.body.history[0].requestHeaders).toMatchObject({ 'idempotency-key': delivery.id });
    // The partner got its credentials; the history keeps every header but those.
    expect(receiver.received.at(-1)!.headers).toMatchObject({ authorization: 'Bearer partner-token', 'x-partner-token': `tok-${userId}`, 'x-campaign': 'spring' });
    for (const attempt of history.body.history) {
      expect(attempt.requestHeaders).toMatchObject({ 'x-campaign': 'spring', 'user-agent': 'postback-hub' });
      expect(Object.keys(attempt.requestHeaders)).not.toContain('authorization');
      expect(Object.keys(attempt.requestHeaders)).not.toContain('x-partner-token');
    }
    expect((await hub.admin(`/deliveries/${randomUUID()}`)).status).toBe(404);
  });

  it('lists the history, replays all failed of a destination, and exports it as CSV', async () => {
    const dest = await destination('conversion', { url: `${receiver.url}/c`, retry: { kind: 'schedule', delaysMs: [0] } });
    const formula = '=HYPERLINK("http://evil.example","click")';
    const first = await emit('conversion', formula);
    const second = await emit('conversion');
    receiver.reply({ status: 500 }, { status: 500 });
    await runWorker();
    const failed = await hub.admin(`/deliveries?destination=${dest.id}&state=failed`);
    expect(failed.body.items.map((d: any) => d.eventId).sort()).toEqual([first.eventId, second.eventId].sort());
    expect(failed.body.items[0]).toMatchObject({ eventType: 'conversion', lastStatus: 500, attempts: 1 });

    const replayed = await hub.admin('/deliveries/replay', { body: { destination: dest.id, state: 'failed' } });
    expect(replayed.body).toEqual({ replayed: 2 });
    await runWorker();
    expect((await hub.admin(`/deliveries?destination=${dest.id}&state=succeeded`)).body.items).toHaveLength(2);
    const one = (await deliveryOf(first.eventId)).id;
    expect((await hub.admin(`/deliveries/${one}/replay`, { method: 'POST' })).body).toEqual({ replayed: 1 });
    await runWorker();
    expect((await hub.admin(`/deliveries/${one}`)).body.history.map((a: any) => a.status)).toEqual([500, 200, 200]);

    const csv = await fetch(`${hub.url}/admin/api/deliveries/export.csv?destination=${dest.id}`, { headers: { authorization: 'Bearer test-admin-token-0123456789' } });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe('delivery_id,created_at,event_id,event_type,user_id,offer_id,advertiser,payout,currency,destination_id,destination_name,state,attempts,http_status,last_error');
    // Each line names the destination, not only its id.
    expect(parseCsv(lines.join('\n')).slice(1).map((cells) => cells.slice(9, 11))).toEqual([[dest.id, 'conversion'], [dest.id, 'conversion']]);
    expect(lines).toHaveLength(3);
    expect(lines.some((l) => l.includes(`"'=HYPERLINK(""http://evil.example"",""click"")"`))).toBe(true);
    expect((await hub.admin('/deliveries?from=nonsense')).status).toBe(400);
  });

  it('numbers attempts on across replays (1, 2, 3, 4), and gives each replay a new round of the retry policy', async () => {
    const dest = await destination('numbered', { url: `${receiver.url}/numbered`, retry: { kind: 'schedule', delaysMs: [0, 60_000] } });
    const { eventId } = await emit('numbered');
    const id = (await deliveryOf(eventId)).id as string;
    const failOnce = async () => {
      receiver.reply({ status: 500 });
      await runWorker();
    };
    await failOnce();
    expect(await hub.admin(`/deliveries/${id}`)).toMatchObject({ body: { state: 'pending', attempts: 1, nextAttemptAt: new Date(now + 60_000).toISOString() } });
    now += 60_000;
    await failOnce();
    // The policy's two attempts are spent.
    expect((await hub.admin(`/deliveries/${id}`)).body).toMatchObject({ state: 'failed', attempts: 2, nextAttemptAt: null });

    expect((await hub.admin(`/deliveries/${id}/replay`, { method: 'POST' })).body).toEqual({ replayed: 1 });
    await failOnce();
    // A new round: the policy's second try is scheduled again, though this is the third attempt.
    expect((await hub.admin(`/deliveries/${id}`)).body).toMatchObject({ state: 'pending', attempts: 3, nextAttemptAt: new Date(now + 60_000).toISOString() });
    now += 60_000;
    await failOnce();
    const detail = (await hub.admin(`/deliveries/${id}`)).body;
    expect(detail).toMatchObject({ state: 'failed', attempts: 4, destinationId: dest.id, destinationName: 'numbered' });
    expect(detail.history.map((a: any) => [a.attempt, a.status])).toEqual([[1, 500], [2, 500], [3, 500], [4, 500]]);

    // Replayed once more and delivered: attempt 5.
    await hub.admin(`/deliveries/${id}/replay`, { method: 'POST' });
    await runWorker();
    expect((await hub.admin(`/deliveries/${id}`)).body.history.map((a: any) => a.attempt)).toEqual([1, 2, 3, 4, 5]);
    expect((await hub.admin(`/deliveries?destination=${dest.id}`)).body.items).toEqual([expect.objectContaining({ id, state: 'succeeded', attempts: 5, destinationName: 'numbered' })]);
  });

  it('takes a date alone as the start of that day (UTC) in every date filter', async () => {
    const dest = await destination('dated', { url: `${receiver.url}/dated` });
    const { eventId } = await emit('dated');
    await runWorker();
    const today = new Date(now).toISOString().slice(0, 10);
    const tomorrow = new Date(Date.parse(today) + 86_400_000).toISOString().slice(0, 10);
    const deliveries = (query: string) => hub.admin(`/deliveries?destination=${dest.id}&${query}`);
    expect((await deliveries(`from=${today}`)).body.items).toHaveLength(1);
    expect((await deliveries(`from=${tomorrow}`)).body.items).toHaveLength(0);
    expect((await deliveries(`from=${today}&to=${tomorrow}`)).body.items).toHaveLength(1);
    expect((await hub.admin(`/events?from=${today}&to=${tomorrow}&limit=500`)).body.items.map((e: any) => e.id)).toContain(eventId);
    expect((await hub.admin(`/events?from=${tomorrow}`)).body.items).toEqual([]);
    expect((await hub.admin(`/audit?from=${today}&resource=destinations`)).body.items.map((e: any) => e.resourceId)).toContain(dest.id);
    expect((await hub.admin(`/audit?from=${tomorrow}`)).body.items).toEqual([]);
    const csv = await fetch(`${hub.url}/admin/api/deliveries/export.csv?destination=${dest.id}&from=${today}`, { headers: { authorization: 'Bearer test-admin-token-0123456789' } });
    expect((await csv.text()).trim().split('\r\n')).toHaveLength(2);
    expect((await hub.admin(`/reports?from=${today}&to=${tomorrow}&by=day`)).body.rows.map((r: any) => r.key)).toContain(today);
    // Still refused, naming the field: a date that does not exist, or a time without its zone.
    for (const bad of ['2026-02-30', '2026-12-02T10:00', 'Dec 2 2026']) {
      expect(await hub.admin(`/events?from=${encodeURIComponent(bad)}`), bad).toMatchObject({ status: 400, body: { field: 'from' } });
    }
  });

  it('holds a destination to its concurrency and rate limits', async () => {
    await destination('limited-one', { url: `${receiver.url}/one`, maxConcurrency: 1 });
    await destination('limited-rate', { url: `${receiver.url}/rate`, ratePerSecond: 5 });
    receiver.setDefault({ status: 200, body: 'OK', delayMs: 40 });
    try {
      for (let i = 0; i < 4; i++) await emit('limited-one');
      receiver.load.peak = 0;
      await runWorker();
      expect(receiver.load.peak).toBe(1);

      // A burst of one second's worth (5), then 5 a second: 8 take at least 0.6 s.
      for (let i = 0; i < 8; i++) await emit('limited-rate');
      const started = Date.now();
      await runWorker();
      expect(Date.now() - started).toBeGreaterThanOrEqual(550);
      expect(receiver.received.filter((r) => r.url === '/rate')).toHaveLength(8);
    } finally {
      receiver.setDefault({ status: 200, body: 'OK' });
    }
  });

  it('does not send a delivery whose lease could run out while a rate limit held it', async () => {
    await destination('slow-lane', { url: `${receiver.url}/slow`, ratePerSecond: 1, timeoutMs: 1000 });
    for (let i = 0; i < 3; i++) await emit('slow-lane');
    const sent = () => receiver.received.filter((r) => r.url === '/slow').length;
    // Claimed now (the claim reads the clock as the pass starts); one is sent at once, the other
    // two wait for the limiter (a second), and meanwhile their 90 s lease nearly runs out.
    const first = receiver.nextRequest();
    const pass = runWorker();
    await first;
    now += 89_500;
    await pass;
    expect(sent()).toBe(1);
    now += 1_000; // the lease has expired: claimed again, and sent
    await runWorker();
    await runWorker();
    expect(sent()).toBe(3);
  });

  it('tests an endpoint: a sample event sent now, answered as the partner answered', async () => {
    const dest = await destination('test-me', { url: `${receiver.url}/t?u={user_id}&e={event}`, success: { kind: 'body', equals: 'OK' } });
    await hub.admin(`/destinations/${dest.id}`, { method: 'PATCH', body: { bearerToken: 'partner-token' } });
    const ok = await hub.admin(`/destinations/${dest.id}/test`, { method: 'POST' });
    expect(ok.body).toMatchObject({ success: true, status: 200, excerpt: 'OK', error: null, request: { method: 'GET', url: `${receiver.url}/t?u=test-user&e=test-me` } });
    expect(ok.body.request.headers.authorization).toBeUndefined();
    expect(receiver.received.at(-1)!.headers.authorization).toBe('Bearer partner-token');
    receiver.reply({ status: 200, body: 'NOPE' });
    expect((await hub.admin(`/destinations/${dest.id}/test`, { method: 'POST' })).body).toMatchObject({ success: false, status: 200, excerpt: 'NOPE' });
  });
});

describe.runIf(STORE_KINDS.includes('postgres'))('signing-secret rotation across hubs sharing one PostgreSQL database', () => {
  it("is in force for the next delivery another hub's worker sends, though that worker had the destination cached", async () => {
    const db = await createTestDatabase('postgres');
    const clock = { now: () => Date.now() };
    const receiver = await startReceiver();
    const hubs: TestHub[] = [];
    try {
      // One serves the admin API and takes events; the other only runs the worker.
      const api = await startTestHub('postgres', { db, worker: false, clock });
      hubs.push(api);
      const worker = await startTestHub('postgres', { db, worker: false, clock });
      hubs.push(worker);
      const auth = { authorization: `Bearer ${(await api.admin('/api-secrets', { body: {} })).body.secret}` };
      const created = await api.admin('/destinations', { body: { name: 'signed', config: { url: `${receiver.url}/signed`, method: 'POST', body: '{"u":"{user_id}"}', signing: { kind: 'standard-webhooks' } } } });
      expect(created.status).toBe(201);
      const emit = async () => expect((await postJson(`${api.url}/api/events`, { type: 'signup', idempotencyKey: randomUUID(), userId: 'u' }, auth)).status).toBe(200);
      await emit();
      expect(await worker.hub.services.worker.runOnce()).toBe(1);
      const rotated = await api.admin(`/destinations/${created.body.id}`, { method: 'PATCH', body: { rotateSigningSecret: true } });
      expect(rotated.status).toBe(200);
      await emit();
      expect(await worker.hub.services.worker.runOnce()).toBe(1);
      const [before, after] = receiver.received;
      expect(new Webhook(created.body.signingSecret).verify(before!.body, before!.headers as Record<string, string>)).toBeTruthy();
      expect(new Webhook(rotated.body.signingSecret).verify(after!.body, after!.headers as Record<string, string>)).toBeTruthy();
    } finally {
      for (const hub of hubs) await hub.close();
      await receiver.close();
      await db.cleanup();
    }
  }, 2 * HUB_START_MS + 30_000); // two hubs started one after the other
});

describe('outbound address protection', () => {
  it('refuses private addresses unless allowed, by IP and by name at connect time', async () => {
    const hub = await startTestHub('sqlite', { worker: false, outboundAllow: '' });
    const receiver = await startReceiver();
    try {
      const { secret } = (await hub.admin('/api-secrets', { body: {} })).body;
      for (const url of [`${receiver.url}/by-ip`, `http://localhost:${receiver.port}/by-name`, 'http://169.254.169.254/latest/meta-data']) {
        await hub.admin('/destinations', { body: { name: url, config: { url, match: { eventTypes: [`t${url.length}`] } } } });
        const { eventId } = (await postJson(`${hub.url}/api/events`, { type: `t${url.length}`, idempotencyKey: randomUUID(), userId: 'u' }, { authorization: `Bearer ${secret}` })).body;
        await hub.hub.services.worker.runOnce();
        const status: any = await (await fetch(`${hub.url}/api/events/${eventId}`, { headers: { authorization: `Bearer ${secret}` } })).json();
        expect(status.deliveries[0].lastError).toMatch(/^refused: /);
      }
      expect(receiver.received).toEqual([]);
    } finally {
      await hub.close();
      await receiver.close();
    }
  });
});
