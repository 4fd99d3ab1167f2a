import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS } from './helpers/stores.js';
import { ADMIN_TOKEN, postJson, startTestHub, type TestHub } from './helpers/hub.js';
import { HUB_START_MS } from './helpers/timing.js';

describe.each(STORE_KINDS)('admin API on %s', (kind) => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub(kind);
  }, HUB_START_MS);

  afterAll(async () => {
    await hub?.close();
  });

  describe('authentication', () => {
    it.each([
      ['no token', {}],
      ['a wrong token', { authorization: 'Bearer wrong-token-wrong-token' }],
      ['the token without Bearer', { authorization: ADMIN_TOKEN }],
    ])('refuses %s with 401', async (_case, headers) => {
      const response = await fetch(`${hub.url}/admin/api/users`, { headers });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ ok: false, error: 'unauthorized', message: 'Sign in, or send the admin token or an admin API key (Authorization: Bearer …)' });
    });
  });

  describe('users', () => {
    it('creates a user with a generated id and shows the balance', async () => {
      const created = await hub.admin('/users', { body: {} });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ coins: 0, appId: null, deviceId: null });
      expect(created.body.id).toMatch(/^[0-9a-f-]{36}$/);
      expect((await hub.admin(`/users/${created.body.id}`)).body).toEqual(created.body);
    });

    it('answers the user shape of the partner postback API {id, coins, appId, deviceId}', async () => {
      const id = randomUUID();
      const created = await hub.admin('/users', { body: { id, appId: 'app-7', deviceId: 'device-7' } });
      expect(created.body).toMatchObject({ id, coins: 0, appId: 'app-7', deviceId: 'device-7' });
    });

    it('updates, pages, and deletes', async () => {
      const id = `user-${randomUUID()}`;
      await hub.admin('/users', { body: { id } });
      const patched = await hub.admin(`/users/${id}`, { method: 'PATCH', body: { deviceId: 'new-device' } });
      expect(patched).toMatchObject({ status: 200, body: { id, deviceId: 'new-device' } });
      const page = await hub.admin('/users?limit=1');
      expect(page.body.items).toHaveLength(1);
      expect(typeof page.body.nextCursor).toBe('string');
      expect((await hub.admin(`/users/${id}`, { method: 'DELETE' })).status).toBe(204);
      expect((await hub.admin(`/users/${id}`)).status).toBe(404);
    });

    it('answers 409 for a taken id and 404 for a missing user, naming the field', async () => {
      const id = randomUUID();
      await hub.admin('/users', { body: { id } });
      expect(await hub.admin('/users', { body: { id } })).toMatchObject({ status: 409, body: { error: 'conflict', field: 'id' } });
      expect(await hub.admin(`/users/${randomUUID()}`)).toMatchObject({ status: 404, body: { error: 'not_found', field: 'id' } });
      expect((await hub.admin(`/users/${randomUUID()}/ledger`)).status).toBe(404);
    });

    it.each([
      [{ appId: 5 }, 'appId'],
      [{ id: '' }, 'id'],
      [{ nickname: 'x' }, 'nickname'],
    ])('answers 400 naming the field for %j', async (body, field) => {
      const answer = await hub.admin('/users', { body });
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ ok: false, error: 'invalid_request', field });
    });

    it('answers 400 for malformed JSON and 415 for a form body, never 500', async () => {
      const malformed = await postJson(`${hub.url}/admin/api/users`, '{"id":', { authorization: `Bearer ${ADMIN_TOKEN}` });
      expect(malformed).toMatchObject({ status: 400, body: { error: 'invalid_json', field: 'body' } });
      const form = await fetch(`${hub.url}/admin/api/users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'id=x',
      });
      expect(form.status).toBe(415);
      const badLimit = await hub.admin('/users?limit=100000');
      expect(badLimit).toMatchObject({ status: 400, body: { field: 'limit' } });
    });

    it('refuses to delete a user whose ledger has entries', async () => {
      const id = randomUUID();
      await hub.admin('/users', { body: { id } });
      await hub.admin('/apps', { body: { pid: `pid-${id}` } });
      await hub.admin('/offers', { body: { id: `game-${id}` } });
      const { secret } = (await hub.admin('/api-secrets', { body: {} })).body;
      const credited = await postJson(`${hub.url}/api/postback`, { pid: `pid-${id}`, uid: id, gid: `game-${id}`, level_number: 5 }, { authorization: `Bearer ${secret}` });
      expect(credited.status).toBe(200);
      expect(await hub.admin(`/users/${id}`, { method: 'DELETE' })).toMatchObject({ status: 409, body: { error: 'user_has_ledger' } });
      const ledger = await hub.admin(`/users/${id}/ledger`);
      expect(ledger.body.items).toEqual([expect.objectContaining({ userId: id, delta: 25, kind: 'milestone' })]);
    });
  });

  describe('catalog', () => {
    it('manages store apps', async () => {
      const pid = `app-${randomUUID()}`;
      expect(await hub.admin('/apps', { body: { pid, name: 'One' } })).toMatchObject({ status: 201, body: { pid, name: 'One' } });
      expect((await hub.admin('/apps', { body: { pid } })).status).toBe(409);
      expect((await hub.admin(`/apps/${pid}`, { method: 'PATCH', body: { name: 'Two' } })).body.name).toBe('Two');
      expect((await hub.admin(`/apps/${pid}`)).body.name).toBe('Two');
      expect((await hub.admin('/apps?limit=500')).body.items.map((a: any) => a.pid)).toContain(pid);
      expect((await hub.admin(`/apps/${pid}`, { method: 'DELETE' })).status).toBe(204);
      expect((await hub.admin(`/apps/${pid}`, { method: 'DELETE' })).status).toBe(404);
    });

    it('manages offers', async () => {
      const id = `game-${randomUUID()}`;
      expect(await hub.admin('/offers', { body: { id } })).toMatchObject({ status: 201, body: { id, name: null } });
      expect((await hub.admin('/offers', { body: { id } })).status).toBe(409);
      expect((await hub.admin(`/offers/${id}`, { method: 'PATCH', body: { name: 'Game' } })).body.name).toBe('Game');
      expect((await hub.admin(`/offers/${id}`, { method: 'DELETE' })).status).toBe(204);
      expect((await hub.admin(`/offers/${id}`)).status).toBe(404);
      expect(await hub.admin('/offers', { body: { name: 'no id' } })).toMatchObject({ status: 400, body: { field: 'id' } });
    });
  });

  describe('API secrets', () => {
    it('shows a secret once, lists only its prefix, and revokes it', async () => {
      const created = await hub.admin('/api-secrets', { body: { name: 'game studio' } });
      expect(created.status).toBe(201);
      expect(created.body.secret).toMatch(/^pbh_[A-Za-z0-9_-]{43}$/);
      expect(created.body.prefix).toBe(created.body.secret.slice(0, 10));
      const listed = (await hub.admin('/api-secrets?limit=500')).body.items.find((s: any) => s.id === created.body.id);
      expect(listed).toEqual({ id: created.body.id, name: 'game studio', prefix: created.body.prefix, createdAt: created.body.createdAt, revokedAt: null });
      expect(JSON.stringify((await hub.admin('/api-secrets?limit=500')).body)).not.toContain(created.body.secret);
      const revoked = await hub.admin(`/api-secrets/${created.body.id}`, { method: 'DELETE' });
      expect(revoked.status).toBe(200);
      expect(Date.parse(revoked.body.revokedAt)).not.toBeNaN();
      expect((await hub.admin('/api-secrets/nope', { method: 'DELETE' })).status).toBe(404);
    });
  });

  describe('events', () => {
    it('lists every inbound postback newest first, filtered and paginated', async () => {
      const uid = randomUUID();
      const pid = `pid-${uid}`;
      await hub.admin('/users', { body: { id: uid } });
      await hub.admin('/apps', { body: { pid } });
      await hub.admin('/offers', { body: { id: 'ev_game' } }).catch(() => undefined);
      const { secret } = (await hub.admin('/api-secrets', { body: {} })).body;
      const send = (level: number, auth = secret) =>
        postJson(`${hub.url}/api/postback`, { pid, uid, gid: 'ev_game', level_number: level }, { authorization: `Bearer ${auth}` });
      const before = new Date().toISOString();
      await send(5);
      await send(5);
      await send(6, 'wrong');
      await send(7);

      const all = (await hub.admin(`/events?user=${uid}`)).body.items;
      expect(all.map((e: any) => [e.outcome, e.level])).toEqual([
        ['accepted', 7],
        ['rejected', null],
        ['duplicate', 5],
        ['accepted', 5],
      ]);
      expect(all[1]).toMatchObject({ reason: 'unauthorized', detail: 'Invalid API secret', userId: uid });

      expect((await hub.admin(`/events?user=${uid}&status=duplicate`)).body.items).toHaveLength(1);
      expect((await hub.admin(`/events?user=${uid}&source=reward-levels&from=${before}`)).body.items).toHaveLength(4);
      expect((await hub.admin(`/events?user=${uid}&to=${before}`)).body.items).toHaveLength(0);
      expect(await hub.admin('/events?status=maybe')).toMatchObject({ status: 400, body: { field: 'status' } });
      expect(await hub.admin('/events?from=yesterday')).toMatchObject({ status: 400, body: { field: 'from' } });

      const first = await hub.admin(`/events?user=${uid}&limit=3`);
      const second = await hub.admin(`/events?user=${uid}&limit=3&cursor=${first.body.nextCursor}`);
      expect([...first.body.items, ...second.body.items].map((e: any) => e.id)).toEqual(all.map((e: any) => e.id));
      expect(second.body.nextCursor).toBeNull();

      const one = await hub.admin(`/events/${all[0].id}`);
      expect(one.body).toEqual(all[0]);
      expect((await hub.admin(`/events/${randomUUID()}`)).status).toBe(404);
    });
  });

  describe('operations', () => {
    it('answers /healthz and /readyz', async () => {
      expect(await (await fetch(`${hub.url}/healthz`)).json()).toEqual({ ok: true });
      const ready = await fetch(`${hub.url}/readyz`);
      expect(ready.status).toBe(200);
    });

    it('exposes request and postback counters and latency histograms', async () => {
      await postJson(`${hub.url}/api/postback`, {}, { authorization: 'Bearer nope' });
      const text = await (await fetch(`${hub.url}/metrics`)).text();
      expect(text).toMatch(/postback_hub_http_requests_total\{method="POST",route="\/api\/postback",status_code="401"\} \d+/);
      expect(text).toMatch(/postback_hub_postbacks_total\{source="reward-levels",outcome="rejected"\} \d+/);
      expect(text).toContain('postback_hub_http_request_duration_seconds_bucket');
      expect(text).toContain('postback_hub_postback_duration_seconds_bucket');
    });

    it('returns and echoes request ids', async () => {
      const response = await fetch(`${hub.url}/healthz`, { headers: { 'x-request-id': 'trace-me-123' } });
      expect(response.headers.get('x-request-id')).toBe('trace-me-123');
      expect((await fetch(`${hub.url}/healthz`)).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('serves an OpenAPI document at /docs that covers the admin and partner APIs', async () => {
      const doc: any = await (await fetch(`${hub.url}/docs/json`)).json();
      expect(doc.openapi).toBe('3.1.0');
      for (const path of ['/api/postback', '/admin/api/users', '/admin/api/users/{id}', '/admin/api/users/{id}/ledger', '/admin/api/apps', '/admin/api/offers', '/admin/api/api-secrets', '/admin/api/api-secrets/{id}', '/admin/api/events', '/admin/api/sources', '/admin/api/sources/{slug}', '/admin/api/presets', '/postbacks/{slug}', '/api/events', '/api/events/batch', '/api/events/{id}']) {
        expect(Object.keys(doc.paths)).toContain(path);
      }
      expect(doc.paths['/api/postback'].post.requestBody.content['application/json'].schema.required).toEqual(['pid', 'uid', 'gid', 'level_number']);
      expect((await fetch(`${hub.url}/docs`, { redirect: 'follow' })).status).toBe(200);
    });

    it('answers unknown routes with a JSON 404', async () => {
      const response = await fetch(`${hub.url}/nothing/here`);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ ok: false, error: 'not_found' });
    });
  });
});
