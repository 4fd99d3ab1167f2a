// The audit log through HTTP on SQLite and PostgreSQL: each kind of change made through the
// admin API is logged with who, from where, the route, the resource and the fields changed
// (before and after), secrets never shown; reads, tests and refused changes are not changes;
// filters and the CSV export.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestHub, type TestHub } from './helpers/hub.js';
import { STORE_KINDS } from './helpers/stores.js';
import { HUB_START_MS } from './helpers/timing.js';

describe.each(STORE_KINDS)('the audit log on %s', (kind) => {
  let hub: TestHub;
  let now = Date.parse('2026-12-01T10:00:00Z');

  beforeAll(async () => {
    hub = await startTestHub(kind, { worker: false, clock: { now: () => now } });
  }, HUB_START_MS);
  afterAll(async () => {
    await hub?.close();
  });

  const entries = async (query = '') => (await hub.admin(`/audit?limit=500${query}`)).body.items as any[];
  const latest = async () => (await entries())[0];

  it('logs each change with the fields it changed, secrets hidden', async () => {
    const destination = await hub.admin('/destinations', { body: { name: 'GG3', bearerToken: 'partner-bearer-secret', config: { url: 'https://partner.example/hook?u={user_id}' } } });
    expect(destination.status).toBe(201);
    const id = destination.body.id as string;
    expect(await latest()).toMatchObject({
      actor: 'admin token',
      address: '127.0.0.1',
      method: 'POST',
      route: '/destinations',
      resource: 'destinations',
      resourceId: id,
      status: 201,
      changes: { name: { before: null, after: 'GG3' }, hasBearerToken: { before: null, after: true } },
    });

    now += 1000;
    await hub.admin(`/destinations/${id}`, { method: 'PATCH', body: { name: 'GG3 webhooks' } });
    expect(await latest()).toMatchObject({ method: 'PATCH', route: '/destinations/:id', resourceId: id, changes: { name: { before: 'GG3', after: 'GG3 webhooks' } } });
    expect(Object.keys((await latest()).changes)).toEqual(['name']);

    await hub.admin(`/destinations/${id}/pause`, { method: 'POST' });
    expect(await latest()).toMatchObject({ route: '/destinations/:id/pause', resourceId: id, changes: { paused: { before: null, after: expect.objectContaining({ reason: expect.any(String) }) } } });

    // A source's secret, shown once to the operator, and rotated: never in the log.
    const source = await hub.admin('/sources', { body: { slug: 'wall', preset: 'gamezop' } });
    const rotated = await hub.admin('/sources/wall', { method: 'PATCH', body: { rotateSecret: true } });
    expect((await latest()).changes.secret).toEqual({ before: null, after: '[hidden]' });
    const key = await hub.admin('/apps', { body: { pid: 'cashgiraffe' } }).then(() => hub.admin('/apps/cashgiraffe/keys', { body: { scopes: ['feed:read'] } }));
    expect(await latest()).toMatchObject({ route: '/apps/:pid/keys', resource: 'apps', resourceId: 'cashgiraffe', changes: { key: { before: null, after: '[hidden]' } } });

    await hub.admin('/fraud-policy', { method: 'PUT', body: { ...(await hub.admin('/fraud-policy')).body, attributionWindowDays: 7 } });
    expect(await latest()).toMatchObject({ resource: 'fraud-policy', changes: { attributionWindowDays: { before: 30, after: 7 } } });

    const user = (await hub.admin('/users', { body: { appId: 'cashgiraffe' } })).body.id as string;
    await hub.admin(`/users/${user}/adjustments`, { body: { coins: 50, reason: 'Welcome bonus' } });
    expect(await latest()).toMatchObject({ route: '/users/:id/adjustments', resourceId: user, changes: { coins: { before: 0, after: 50 } } });

    await hub.admin('/goals', { body: { id: 'g1', name: 'Goal', config: { kind: 'count', condition: { eventType: 'a' }, count: 5 } } });
    expect((await hub.admin('/goals/g1', { method: 'DELETE' })).status).toBe(204);
    expect(await latest()).toMatchObject({ method: 'DELETE', route: '/goals/:id', resourceId: 'g1', status: 204, changes: { name: { before: 'Goal', after: null } } });

    const log = JSON.stringify(await entries());
    for (const secret of ['partner-bearer-secret', source.body.secret, rotated.body.secret, key.body.key]) expect(log).not.toContain(secret);
  });

  it('logs no read, no test and no refused change', async () => {
    const before = (await entries()).length;
    await hub.admin('/destinations');
    await hub.admin('/audit');
    const created = await hub.admin('/destinations', { body: { name: 'test me', config: { url: 'http://127.0.0.1:9/nowhere' } } });
    const count = (await entries()).length;
    expect(count).toBe(before + 1);
    await hub.admin(`/destinations/${created.body.id}/test`, { method: 'POST' });
    expect((await hub.admin('/goals', { body: { name: 'x', config: { kind: 'count', condition: {}, count: 5 } } })).status).toBe(400);
    expect((await hub.admin('/users/no-such-user/adjustments', { body: { coins: 5, reason: 'x' } })).status).toBe(404);
    expect((await entries()).length).toBe(count);
  });

  it('filters by resource, id and time, and exports CSV', async () => {
    const all = await entries();
    const destinations = await entries('&resource=destinations');
    expect(destinations.length).toBeGreaterThan(0);
    expect(destinations.every((e) => e.resource === 'destinations')).toBe(true);
    const one = destinations.find((e) => e.resourceId !== null)!;
    expect((await entries(`&resource=destinations&resourceId=${one.resourceId}`)).every((e) => e.resourceId === one.resourceId)).toBe(true);
    expect(await entries(`&from=${new Date(now + 60_000).toISOString()}`)).toEqual([]);
    expect((await entries(`&actor=${encodeURIComponent('admin token')}`)).length).toBe(all.length);

    const csv = await fetch(`${hub.url}/admin/api/audit/export.csv?resource=destinations`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe('time,actor,address,method,route,resource,resource id,status,changes');
    expect(lines).toHaveLength(destinations.length + 1);
  });
});
