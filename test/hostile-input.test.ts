// Inputs a fuzzing pass found to crash the hub or answer 500, through HTTP against a real hub,
// on SQLite and PostgreSQL: each must now be a clear answer, and the hub must stay up.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS } from './helpers/stores.js';
import { ADMIN_TOKEN, postJson, startTestHub, type TestHub } from './helpers/hub.js';
import { startReceiver } from './helpers/receiver.js';
import { HUB_START_MS } from './helpers/timing.js';

describe.each(STORE_KINDS)('hostile input on %s', (kind) => {
  let hub: TestHub;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    hub = await startTestHub(kind, { worker: false });
    receiver = await startReceiver();
    for (const id of ['hostile-offer', 'hostile-used']) expect((await hub.admin('/offers', { body: { id } })).status).toBe(201);
  }, HUB_START_MS);

  afterAll(async () => {
    await hub?.close();
    await receiver?.close();
  });

  const alive = async () => expect((await fetch(`${hub.url}/healthz`)).status).toBe(200);

  it('redirects a click on a target with non-ASCII text, percent-encoded, and stays up', async () => {
    const link = await hub.admin('/links', { body: { id: `euro-${kind}`, offerId: 'hostile-offer', config: { target: 'https://example.com/€ price?s={sub}&t=a b' } } });
    expect(link.status).toBe(201);
    const answer = await fetch(`${hub.url}/c/euro-${kind}?sub=u1`, { redirect: 'manual' });
    expect(answer.status).toBe(302);
    expect(answer.headers.get('location')).toBe('https://example.com/%E2%82%AC%20price?s=u1&t=a%20b');
    await alive();
  });

  it("lets no request field reach Object.prototype through the source test's nested paths", async () => {
    const source = await hub.admin('/sources', { body: { slug: `proto-${kind}`, preset: 'generic' } });
    expect(source.status).toBe(201);
    const tested = await hub.admin(`/sources/proto-${kind}/test`, { body: { method: 'POST', authenticate: false, fields: { '__proto__.user_id': 'polluted', 'constructor.prototype.x': 'polluted' } } });
    expect(tested.status).toBe(200);
    expect(({} as Record<string, unknown>).user_id).toBeUndefined();
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    // The hub still records (its metrics' labels were what the pollution broke).
    expect((await postJson(`${hub.url}/postbacks/proto-${kind}?secret=${source.body.secret}`, { user_id: 'u', transaction_id: randomUUID() })).status).toBe(200);
  });

  it('answers 401, not 500, when the query secret is named like an Object.prototype member', async () => {
    const source = await hub.admin('/sources', { body: { slug: `ctor-${kind}`, preset: 'generic', overrides: { auth: [{ kind: 'secret-query', param: 'constructor' }] } } });
    expect(source.status).toBe(201);
    const answer = await fetch(`${hub.url}/postbacks/ctor-${kind}?user_id=u&transaction_id=t`);
    expect(answer.status).toBe(401);
    expect((await fetch(`${hub.url}/postbacks/ctor-${kind}?user_id=u&transaction_id=t&constructor=${source.body.secret}`)).status).toBe(200);
  });

  it('refuses a key that is not ECDSA P-256 when saved, naming it', async () => {
    const ed25519 = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    const answer = await hub.admin('/sources', { body: { slug: `ecdsa-${kind}`, preset: 'admob-ssv', overrides: { auth: [{ kind: 'signature', scheme: { kind: 'ecdsa-p256', keys: { '1': ed25519 } } }] } } });
    expect(answer).toMatchObject({ status: 400, body: { field: 'overrides.auth.keys.1', message: expect.stringContaining('ECDSA P-256') } });
  });

  it("treats {constructor} in a body template as an unknown macro: the test button and the delivery work", async () => {
    const created = await hub.admin('/destinations', {
      body: { name: 'proto', config: { url: `${receiver.url}/proto`, method: 'POST', body: '{"a":"{constructor}","b":"{toString}","u":"{user_id}"}', match: { eventTypes: ['proto_test'] } } },
    });
    expect(created.status).toBe(201);
    const tested = await hub.admin(`/destinations/${created.body.id}/test`, { body: {} });
    expect(tested.status).toBe(200);
    expect(JSON.parse(tested.body.request.body)).toEqual({ a: '', b: '', u: 'test-user' });
    const secret = (await hub.admin('/api-secrets', { body: {} })).body.secret as string;
    const event = await postJson(`${hub.url}/api/events`, { type: 'proto_test', idempotencyKey: randomUUID(), userId: 'proto-user' }, { authorization: `Bearer ${secret}` });
    expect(event.status).toBe(200);
    expect(await hub.hub.services.worker.runOnce()).toBe(1);
    expect(JSON.parse(receiver.received.filter((r) => r.url === '/proto').at(-1)!.body)).toEqual({ a: '', b: '', u: 'proto-user' });
    const status = (await (await fetch(`${hub.url}/api/events/${event.body.eventId}`, { headers: { authorization: `Bearer ${secret}` } })).json()) as { deliveries: unknown[] };
    expect(status.deliveries[0]).toMatchObject({ state: 'succeeded', attempts: 1 });
  });

  it('answers 409 in_use for deleting an offer a link uses', async () => {
    expect((await hub.admin('/links', { body: { id: `uses-${kind}`, offerId: 'hostile-used', config: { target: 'https://e.example/{sub}' } } })).status).toBe(201);
    expect(await hub.admin('/offers/hostile-used', { method: 'DELETE' })).toMatchObject({ status: 409, body: { ok: false, error: 'in_use' } });
  });

  it('reports and charts revenue past 2^53 micro-units exactly, per currency', async () => {
    const secret = (await hub.admin('/api-secrets', { body: {} })).body.secret as string;
    for (let i = 0; i < 10; i++) {
      const answer = await postJson(`${hub.url}/api/events`, { type: 'deposit', idempotencyKey: `whale-${i}-${randomUUID()}`, userId: 'whale', amount: '999999999.999999', currency: 'ZZZ' }, { authorization: `Bearer ${secret}` });
      expect(answer.status).toBe(200);
    }
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const report = await hub.admin(`/reports?from=${from}&to=${to}&by=day`);
    expect(report.status).toBe(200);
    expect(report.body.rows[0].revenue.ZZZ).toBe('9999999999.99999');
    const stats = await hub.admin(`/stats?from=${from}&to=${to}`);
    expect(stats.status).toBe(200);
    expect(stats.body.totals.revenue.ZZZ).toBe('9999999999.99999');
  });

  it('answers paths the file system or the router refuse with JSON or the dashboard, never 500', async () => {
    for (const path of ['/admin/a%00b', '/admin/index.html/x', `/admin/${'a'.repeat(300)}`]) {
      expect([200, 503]).toContain((await fetch(`${hub.url}${path}`)).status);
    }
    const bad = await fetch(`${hub.url}/admin/api/users/%ED%A0%80`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ ok: false, error: 'invalid_request', message: 'the path is not valid percent-encoded UTF-8', field: 'url' });
  });

  it('takes an action sent as JSON with no body', async () => {
    const created = await hub.admin('/destinations', { body: { name: 'empty-body', config: { url: `${receiver.url}/e` } } });
    const answer = await fetch(`${hub.url}/admin/api/destinations/${created.body.id}/pause`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' } });
    expect(answer.status).toBe(200);
    // A body is still parsed as JSON, with a charset or without, and bad JSON is still a 400.
    const resumed = await fetch(`${hub.url}/admin/api/destinations/${created.body.id}/resume`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json; charset=utf-8' }, body: '{}' });
    expect(resumed.status).toBe(200);
    const user = await fetch(`${hub.url}/admin/api/users`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json; charset=utf-8' }, body: '{"id":"charset-user"}' });
    expect(user.status).toBe(201);
    const bad = await fetch(`${hub.url}/admin/api/users`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: '{"id":' });
    expect(await bad.json()).toMatchObject({ ok: false, error: 'invalid_json', field: 'body' });
  });

  it('needs a known store app for a Play Store link, and a UUID user on its clicks', async () => {
    const unknown = await hub.admin('/links', { body: { offerId: 'hostile-offer', config: { playStore: { package: 'com.example.game', pid: 'not-registered' } } } });
    expect(unknown).toMatchObject({ status: 400, body: { field: 'config.playStore.pid' } });
    expect((await hub.admin('/apps', { body: { pid: `known-${kind}` } })).status).toBe(201);
    const link = await hub.admin('/links', { body: { id: `ps-${kind}`, offerId: 'hostile-offer', config: { playStore: { package: 'com.example.game', pid: `known-${kind}` } } } });
    expect(link.status).toBe(201);
    expect((await fetch(`${hub.url}/c/ps-${kind}?uid=12345`, { redirect: 'manual' })).status).toBe(400);
    expect((await fetch(`${hub.url}/c/ps-${kind}?uid=${randomUUID()}`, { redirect: 'manual' })).status).toBe(302);
  });
});
