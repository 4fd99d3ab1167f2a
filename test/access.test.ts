// Operators, roles and admin API keys through HTTP on SQLite and PostgreSQL: every admin route
// called by every role (the list is route-scopes.ts, and the hub refuses to build with a route
// missing from it), sign-in and its cookie, CSRF, idle and absolute session expiry on the
// test's clock, invitations, role changes and removals applied at once, password changes, the
// last owner kept, admin API keys within their scopes, and who the audit log names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTE_SCOPES } from '../src/http/route-scopes.js';
import { ROLE_SCOPES, ROLES } from '../src/features/operators/roles.js';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { bodyOf, operatorWithRole, signIn, type OperatorClient } from './helpers/operators.js';
import { STORE_KINDS } from './helpers/stores.js';
import { HUB_START_MS } from './helpers/timing.js';

const PASSWORD = 'correct horse battery staple';
const OWNER = 'owner@example.com';

/** The route's path with its parameters filled with ids that exist nowhere. */
const concrete = (route: string) => route.replace(/:([A-Za-z]+)/g, 'nothing-here');

describe.each(STORE_KINDS)('operators, roles and keys on %s', (kind) => {
  let hub: TestHub;
  let now = Date.parse('2026-12-03T09:00:00Z');
  const clock = { now: () => now };
  let owner: OperatorClient;

  beforeAll(async () => {
    hub = await startTestHub(kind, { worker: false, clock });
    await hub.hub.services.operators.createOwner(OWNER, PASSWORD);
    owner = await signIn(hub.url, OWNER, PASSWORD);
  }, HUB_START_MS);
  afterAll(async () => {
    await hub?.close();
  });

  it('lists in route-scopes.ts exactly the admin routes the hub serves', () => {
    for (const key of Object.keys(ROUTE_SCOPES)) {
      const [method = '', url = ''] = key.split(' ');
      expect(hub.hub.app.hasRoute({ method: method, url }), key).toBe(true);
    }
  });

  it('says in the OpenAPI document what each admin operation needs', async () => {
    const doc: any = await (await fetch(`${hub.url}/docs/json`)).json();
    for (const [key, rule] of Object.entries(ROUTE_SCOPES)) {
      const [method = '', url = ''] = key.split(' ');
      const operation = doc.paths[url.replace(/:([A-Za-z]+)/g, '{$1}')]?.[method.toLowerCase()];
      expect(operation, key).toBeDefined();
      if (rule === 'public') expect(operation.security, key).toEqual([]);
      else expect(operation.security, key).toEqual([{ adminToken: [] }, { adminSession: [] }]);
      if (rule !== 'public' && rule !== 'signed-in') expect(operation.description, key).toContain(`\`${rule}\``);
    }
  });

  it('refuses every admin route to each role that may not use it, and lets each role that may through', async () => {
    const actors: Array<[string, OperatorClient, ReadonlySet<string>]> = [];
    for (const role of ROLES) {
      const operator = await operatorWithRole(hub, `${role}-table@example.com`, role);
      actors.push([role, operator, new Set(ROLE_SCOPES[role])]);
    }
    const key = await hub.admin('/keys', { body: { name: 'reader', scopes: ['data:read'] } });
    expect(key.status).toBe(201);
    const keyClient: OperatorClient = {
      cookie: '',
      csrf: '',
      async call(path, init = {}) {
        const response = await fetch(`${hub.url}/admin/api${path}`, {
          method: init.method ?? 'GET',
          headers: { authorization: `Bearer ${key.body.key}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        });
        return { status: response.status, body: await bodyOf(response), headers: response.headers };
      },
    };
    actors.push(['key with data:read', keyClient, new Set(['data:read'])]);
    // Signing out last: it ends the session the other calls use.
    const routes = Object.entries(ROUTE_SCOPES).sort(([a], [b]) => Number(a === 'DELETE /admin/api/session') - Number(b === 'DELETE /admin/api/session'));
    const refusedTo = new Map<string, string[]>();
    for (const [label, actor, scopes] of actors) {
      for (const [route, rule] of routes) {
        const [method, url] = route.split(' ') as [string, string];
        const answer = await actor.call(concrete(url).slice('/admin/api'.length), { method, ...(method === 'GET' || method === 'DELETE' ? {} : { body: {} }) });
        const allowed = rule === 'public' || rule === 'signed-in' || scopes.has(rule);
        if (allowed) {
          expect([401, 403], `${label}: ${route} → ${answer.status} ${JSON.stringify(answer.body)}`).not.toContain(answer.status);
        } else {
          expect(answer, `${label}: ${route}`).toMatchObject({ status: 403, body: { ok: false, error: 'forbidden', field: 'scope' } });
          expect(answer.body.message).toContain(`"${rule}"`);
          refusedTo.set(label, [...(refusedTo.get(label) ?? []), route]);
        }
      }
    }
    // The roles as the issue defines them, spot-checked in words.
    expect(refusedTo.get('owner')).toBeUndefined();
    expect(refusedTo.get('admin')).toEqual(expect.arrayContaining(['POST /admin/api/operators', 'POST /admin/api/keys']));
    expect(refusedTo.get('admin')).not.toContain('PATCH /admin/api/destinations/:id');
    expect(refusedTo.get('support')).toEqual(expect.arrayContaining(['PATCH /admin/api/destinations/:id', 'POST /admin/api/deliveries/:id/replay']));
    expect(refusedTo.get('support')).not.toContain('POST /admin/api/events/:id/approve');
    expect(refusedTo.get('support')).not.toContain('POST /admin/api/users/:id/adjustments');
    expect(refusedTo.get('finance')).toEqual(expect.arrayContaining(['POST /admin/api/users/:id/adjustments', 'POST /admin/api/events/:id/approve', 'GET /admin/api/destinations']));
    expect(refusedTo.get('finance')).not.toContain('GET /admin/api/reports');
    expect(refusedTo.get('finance')).not.toContain('GET /admin/api/deliveries/export.csv');
  });

  it('signs in with a password: an HttpOnly, SameSite=Strict cookie for /admin, Secure behind TLS, and a session answer', async () => {
    const response = await fetch(`${hub.url}/admin/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'Owner@Example.com', password: PASSWORD }) });
    expect(response.status).toBe(200);
    const session = response.headers.getSetCookie().find((c) => c.startsWith('phub_session='))!;
    expect(session).toMatch(/; Path=\/admin/);
    expect(session).toMatch(/; HttpOnly/);
    expect(session).toMatch(/; SameSite=Strict/);
    expect(session).not.toMatch(/; Secure/);
    expect(await response.json()).toMatchObject({ kind: 'operator', name: OWNER, role: 'owner', csrfToken: expect.any(String) });
    expect((await owner.call('/session')).body).toMatchObject({ kind: 'operator', name: OWNER, role: 'owner', scopes: expect.arrayContaining(['operators:manage']) });

    const proxied = await startTestHub(kind, { worker: false, clock, trustProxy: true });
    try {
      await proxied.hub.services.operators.createOwner(OWNER, PASSWORD);
      const viaTls = await fetch(`${proxied.url}/admin/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
        body: JSON.stringify({ email: OWNER, password: PASSWORD }),
      });
      expect(viaTls.status).toBe(200);
      expect(viaTls.headers.getSetCookie()).toHaveLength(2);
      for (const cookie of viaTls.headers.getSetCookie()) expect(cookie).toMatch(/; Secure/);
    } finally {
      await proxied.close();
    }
  });

  it('refuses a wrong password or an unknown email alike, and throttles an address that keeps guessing', async () => {
    const attempt = (email: string, password: string, from: string) =>
      hub.hub.app.inject({ method: 'POST', url: '/admin/api/session', remoteAddress: from, payload: { email, password } });
    const wrong = await attempt(OWNER, 'not the password at all', '198.51.100.7');
    const unknown = await attempt('nobody@example.com', PASSWORD, '198.51.100.7');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
    expect(wrong.json().message).toBe('Wrong email or password');
    for (let i = 2; i < 10; i++) expect((await attempt(OWNER, `guess number ${i}!!`, '198.51.100.7')).statusCode).toBe(401);
    // The eleventh failure is answered 429, and so is everything after it, the right password too.
    expect((await attempt(OWNER, 'guess number 10', '198.51.100.7')).statusCode).toBe(429);
    const throttled = await attempt(OWNER, PASSWORD, '198.51.100.7');
    expect(throttled.statusCode).toBe(429);
    expect(throttled.headers['retry-after']).toBeDefined();
    // Another address is not held up.
    expect((await attempt(OWNER, PASSWORD, '198.51.100.8')).statusCode).toBe(200);
  });

  it("needs the session's CSRF token on every change, not on reads, and not from a bearer key", async () => {
    const other = await signIn(hub.url, OWNER, PASSWORD);
    const change = (csrf: string | null) => owner.call('/offers', { body: { id: `csrf-${Math.random().toString(36).slice(2)}` }, csrf });
    for (const csrf of [null, 'forged-token', other.csrf]) {
      expect(await change(csrf), String(csrf)).toMatchObject({ status: 403, body: { error: 'csrf', field: 'x-csrf-token' } });
    }
    expect((await change(owner.csrf)).status).toBe(201);
    expect((await owner.call('/offers', { csrf: null })).status).toBe(200);
    // The token GET /session answers works as well as the sign-in's.
    const again = (await owner.call('/session')).body.csrfToken as string;
    expect((await change(again)).status).toBe(201);
    for (const method of ['PATCH', 'DELETE']) {
      expect((await owner.call('/offers/nothing-here', { method, ...(method === 'PATCH' ? { body: { name: 'x' } } : {}), csrf: null })).status).toBe(403);
    }
    expect((await hub.admin('/offers', { body: { id: 'csrf-bearer' } })).status).toBe(201);
    // Nothing was recorded by the refused requests.
    const offers = (await hub.admin('/offers?limit=100')).body.items.map((o: { id: string }) => o.id).filter((id: string) => id.startsWith('csrf-'));
    expect(offers).toHaveLength(3);
  });

  it('ends a session after 30 idle minutes, and 12 hours after sign-in however busy (the injected clock)', async () => {
    const idle = await signIn(hub.url, OWNER, PASSWORD);
    const busy = await signIn(hub.url, OWNER, PASSWORD);
    now += 29 * 60_000;
    expect((await idle.call('/session')).status).toBe(200);
    now += 29 * 60_000;
    expect((await idle.call('/session')).status).toBe(200);
    now += 30 * 60_000;
    expect(await idle.call('/session')).toMatchObject({ status: 401, body: { message: 'Your session has ended; sign in again' } });
    expect(await idle.call('/offers')).toMatchObject({ status: 401 });

    // `busy` was last seen 88 minutes ago: also over. A fresh one, used every 20 minutes.
    expect((await busy.call('/session')).status).toBe(401);
    const fresh = await signIn(hub.url, OWNER, PASSWORD);
    for (let minutes = 20; minutes < 12 * 60; minutes += 20) {
      now += 20 * 60_000;
      expect((await fresh.call('/session')).status, `after ${minutes} minutes`).toBe(200);
    }
    now += 20 * 60_000;
    expect((await fresh.call('/session')).status).toBe(401);
    owner = await signIn(hub.url, OWNER, PASSWORD);
    // That sign-in swept the owner's ended sessions: only live ones are kept.
    const kept = await hub.hub.db.read((k) => k.selectFrom('operator_sessions as s').innerJoin('operators as o', 'o.id', 's.operator_id').select(['s.created_at', 's.last_seen_at']).where('o.email', '=', OWNER).execute());
    for (const session of kept) expect(now - Number(session.last_seen_at)).toBeLessThan(30 * 60_000);
  });

  it('invites an operator (a link, once, for 7 days), who sets a password and signs in with it', async () => {
    const invited = await owner.call('/operators', { body: { email: 'Support@Example.com', role: 'support' } });
    expect(invited).toMatchObject({ status: 201, body: { operator: { email: 'support@example.com', role: 'support', status: 'invited', invitedBy: OWNER } } });
    expect(invited.body.inviteUrl).toMatch(new RegExp(`^${hub.url}/admin/accept#token=inv_`));
    const token = new URL(invited.body.inviteUrl).hash.replace('#token=', '');
    expect((await fetch(`${hub.url}/admin/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'support@example.com', password: 'anything at all' }) })).status).toBe(401);
    const accept = (password: string, t = token) => fetch(`${hub.url}/admin/api/invitations/accept`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: t, password }) });
    const short = await accept('short');
    expect(short.status).toBe(400);
    expect(await short.json()).toMatchObject({ field: 'password' });
    const accepted = await accept(PASSWORD);
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toMatchObject({ name: 'support@example.com', role: 'support' });
    expect(await (await accept(PASSWORD)).json()).toMatchObject({ error: 'invalid_invitation', field: 'token' });
    const support = await signIn(hub.url, 'support@example.com', PASSWORD);
    expect((await support.call('/destinations')).status).toBe(200);
    expect((await support.call('/destinations', { body: { name: 'x' } })).status).toBe(403);

    // An invitation not accepted within 7 days no longer works; a new one does.
    const late = await owner.call('/operators', { body: { email: 'late@example.com', role: 'finance' } });
    const lateToken = new URL(late.body.inviteUrl).hash.replace('#token=', '');
    now += 7 * 24 * 3600_000 + 1;
    expect((await accept(PASSWORD, lateToken)).status).toBe(400);
    owner = await signIn(hub.url, OWNER, PASSWORD);
    const renewed = await owner.call(`/operators/${late.body.operator.id}/invitation`, { method: 'POST' });
    expect(renewed.status).toBe(201);
    expect((await accept(PASSWORD, lateToken)).status).toBe(400);
    expect((await accept(PASSWORD, new URL(renewed.body.inviteUrl).hash.replace('#token=', ''))).status).toBe(200);
  });

  it("applies a role change and a removal at once, keeps the last owner, and does not let an owner remove themself", async () => {
    const person = await operatorWithRole(hub, 'changing@example.com', 'support');
    const id = (await owner.call('/operators?limit=200')).body.items.find((o: { email: string }) => o.email === 'changing@example.com').id;
    expect((await person.call('/fraud-policy', { method: 'PUT', body: {} })).status).toBe(403);
    expect((await owner.call(`/operators/${id}`, { method: 'PATCH', body: { role: 'admin' } })).body).toMatchObject({ role: 'admin' });
    expect((await person.call('/session')).body).toMatchObject({ role: 'admin', scopes: expect.arrayContaining(['config:write']) });
    expect((await person.call(`/operators/${id}`, { method: 'PATCH', body: { role: 'owner' } })).status).toBe(403);

    const everyone = (await owner.call('/operators?limit=200')).body.items as Array<{ id: string; email: string; role: string }>;
    const ownerId = everyone.find((o) => o.email === OWNER)!.id;
    // Other owners (the table's) removed: OWNER is the last.
    for (const other of everyone.filter((o) => o.role === 'owner' && o.id !== ownerId)) expect((await owner.call(`/operators/${other.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(await owner.call(`/operators/${ownerId}`, { method: 'PATCH', body: { role: 'admin' } })).toMatchObject({ status: 409, body: { error: 'last_owner' } });
    expect(await owner.call(`/operators/${ownerId}`, { method: 'DELETE' })).toMatchObject({ status: 409, body: { error: 'self' } });
    expect(await hub.admin(`/operators/${ownerId}`, { method: 'DELETE' })).toMatchObject({ status: 409, body: { error: 'last_owner' } });
    expect(await owner.call(`/operators/${ownerId}`, { method: 'PATCH', body: { role: 'owner' } })).toMatchObject({ status: 200 });

    expect((await owner.call(`/operators/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await person.call('/session')).status).toBe(401);
    expect((await fetch(`${hub.url}/admin/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'changing@example.com', password: PASSWORD }) })).status).toBe(401);
  });

  it('changes a password: the current one is checked, other sessions end, this one stays', async () => {
    const person = await operatorWithRole(hub, 'pw@example.com', 'finance');
    const elsewhere = await signIn(hub.url, 'pw@example.com', PASSWORD);
    expect(await person.call('/session/password', { body: { currentPassword: 'wrong wrong wrong', newPassword: 'a new long password' } })).toMatchObject({ status: 400, body: { field: 'currentPassword' } });
    expect(await person.call('/session/password', { body: { currentPassword: PASSWORD, newPassword: 'short' } })).toMatchObject({ status: 400, body: { field: 'newPassword' } });
    expect((await person.call('/session/password', { body: { currentPassword: PASSWORD, newPassword: 'a new long password' } })).status).toBe(204);
    expect((await person.call('/session')).status).toBe(200);
    expect((await elsewhere.call('/session')).status).toBe(401);
    await signIn(hub.url, 'pw@example.com', 'a new long password');
    // A key has no password to change.
    expect(await hub.admin('/session/password', { body: { currentPassword: PASSWORD, newPassword: 'a new long password' } })).toMatchObject({ status: 403 });
  });

  it('signs out: the cookie is cleared and the session no longer works', async () => {
    const person = await signIn(hub.url, OWNER, PASSWORD);
    const out = await person.call('/session', { method: 'DELETE' });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie().find((c) => c.startsWith('phub_session='))).toMatch(/Expires=Thu, 01 Jan 1970/);
    expect((await person.call('/session')).status).toBe(401);
  });

  it('creates admin API keys with scopes (shown once), which work within them until revoked; the admin token is an owner key', async () => {
    const created = await owner.call('/keys', { body: { name: 'exports', scopes: ['reports:read', 'data:read'] } });
    expect(created).toMatchObject({ status: 201, body: { name: 'exports', scopes: ['reports:read', 'data:read'], createdBy: OWNER, key: expect.stringMatching(/^phk_/) } });
    const bearer = { authorization: `Bearer ${created.body.key}` };
    expect((await fetch(`${hub.url}/admin/api/deliveries/export.csv`, { headers: bearer })).status).toBe(200);
    const refused = await fetch(`${hub.url}/admin/api/offers`, { method: 'POST', headers: { ...bearer, 'content-type': 'application/json' }, body: '{"id":"k"}' });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toBe('This key (key "exports") may not do this: it needs the "config:write" scope (change the configuration, send test postbacks, and create, change or delete users)');
    const listed = await owner.call('/keys');
    expect(listed.body.items.find((k: { id: string }) => k.id === created.body.id)).not.toHaveProperty('key');
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);
    expect((await owner.call(`/keys/${created.body.id}`, { method: 'DELETE' })).body.revokedAt).not.toBeNull();
    expect((await fetch(`${hub.url}/admin/api/events`, { headers: bearer })).status).toBe(401);
    expect((await hub.admin('/session')).body).toMatchObject({ kind: 'key', name: 'admin token', role: 'owner', csrfToken: null });
    expect((await hub.admin('/keys', { body: { name: 'by token', scopes: ['config:read'] } })).body.createdBy).toBe('admin token');
  });

  it('names who made each change in the audit log: the operator, the key, or the admin token', async () => {
    await operatorWithRole(hub, 'admin-audit@example.com', 'admin');
    const admin = await signIn(hub.url, 'admin-audit@example.com', PASSWORD);
    const key = (await hub.admin('/keys', { body: { name: 'deploy', scopes: ['config:write', 'config:read'] } })).body.key as string;
    expect((await admin.call('/offers', { body: { id: 'by-operator' } })).status).toBe(201);
    expect((await fetch(`${hub.url}/admin/api/offers`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{"id":"by-key"}' })).status).toBe(201);
    expect((await hub.admin('/offers', { body: { id: 'by-token' } })).status).toBe(201);
    const entries = (await hub.admin('/audit?resource=offers&limit=100')).body.items as Array<{ actor: string; resourceId: string }>;
    const actorOf = (id: string) => entries.find((e) => e.resourceId === id)?.actor;
    expect([actorOf('by-operator'), actorOf('by-key'), actorOf('by-token')]).toEqual(['admin-audit@example.com', 'key "deploy"', 'admin token']);
    expect((await hub.admin('/audit?actor=admin-audit%40example.com&limit=100')).body.items.map((e: { resource: string }) => e.resource)).toEqual(['offers', 'session', 'invitations']);
    const signInEntry = (await hub.admin('/audit?resource=session&actor=admin-audit%40example.com')).body.items[0];
    expect(JSON.stringify(signInEntry)).not.toContain(admin.csrf);
  });
});
