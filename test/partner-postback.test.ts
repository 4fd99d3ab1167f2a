// The partner postback API, line by line, through HTTP against a real listening hub, on SQLite and PostgreSQL.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS } from './helpers/stores.js';
import { postJson, startTestHub, type TestHub } from './helpers/hub.js';
import { HUB_START_MS } from './helpers/timing.js';

describe.each(STORE_KINDS)('partner postback API on %s', (kind) => {
  let hub: TestHub;
  let secret: string;
  let endpoint: string;

  beforeAll(async () => {
    hub = await startTestHub(kind);
    endpoint = `${hub.url}/api/postback`;
    expect((await hub.admin('/apps', { body: { pid: 'cashgiraffe', name: 'Cash Giraffe' } })).status).toBe(201);
    expect((await hub.admin('/offers', { body: { id: 'my_game', name: 'My Game' } })).status).toBe(201);
    const created = await hub.admin('/api-secrets', { body: { name: 'studio' } });
    expect(created.status).toBe(201);
    secret = created.body.secret;
  }, HUB_START_MS);

  afterAll(async () => {
    await hub?.close();
  });

  async function newUser(extra: { appId?: string; deviceId?: string } = {}): Promise<string> {
    const id = randomUUID();
    const created = await hub.admin('/users', { body: { id, ...extra } });
    expect(created.status).toBe(201);
    return id;
  }

  const bearer = () => ({ authorization: `Bearer ${secret}` });
  const post = (body: unknown, headers: Record<string, string> = bearer()) => postJson(endpoint, body, headers);
  const body = (uid: string, level_number: number) => ({ pid: 'cashgiraffe', uid, gid: 'my_game', level_number });

  async function balance(uid: string): Promise<number> {
    return (await hub.admin(`/users/${uid}`)).body.coins;
  }

  async function eventsOf(uid: string) {
    return (await hub.admin(`/events?user=${uid}&limit=100`)).body.items as any[];
  }

  describe('200: recorded', () => {
    it('credits a milestone with the body the documentation shows', async () => {
      const uid = await newUser({ appId: 'app-1', deviceId: 'device-1' });
      const answer = await post(body(uid, 10));
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        ok: true,
        awarded: true,
        milestone: true,
        pid: 'cashgiraffe',
        gid: 'my_game',
        game_id: 'my_game',
        level_number: 10,
        coinDelta: 25,
        user: { id: uid, coins: 25, appId: 'app-1', deviceId: 'device-1' },
      });
      // Keys in the documented order, not only the same keys.
      expect(Object.keys(answer.body)).toEqual(['ok', 'awarded', 'milestone', 'pid', 'gid', 'game_id', 'level_number', 'coinDelta', 'user']);
      expect(await balance(uid)).toBe(25);
    });

    it('records a non-milestone level without coins', async () => {
      const uid = await newUser();
      const answer = await post(body(uid, 7));
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ ok: true, awarded: false, milestone: false, level_number: 7, coinDelta: 0, user: { id: uid, coins: 0 } });
      const [event] = await eventsOf(uid);
      expect(event).toMatchObject({ outcome: 'accepted', level: 7, coins: 0, source: 'reward-levels' });
    });

    it.each([
      [5, 25],
      [30, 25],
      [35, 15],
      [70, 15],
      [75, 10],
      [90, 10],
      [95, 5],
      [100, 5],
      [105, 2],
      [130, 2],
      [135, 1],
    ])('level %i credits %i coins', async (level, coins) => {
      const uid = await newUser();
      const answer = await post(body(uid, level));
      expect(answer.body).toMatchObject({ awarded: true, coinDelta: coins, user: { coins } });
    });

    it('accumulates coins across milestones of one user', async () => {
      const uid = await newUser();
      for (const level of [5, 30, 35, 70, 75, 90, 95, 100, 105, 130, 135]) expect((await post(body(uid, level))).status).toBe(200);
      expect(await balance(uid)).toBe(25 + 25 + 15 + 15 + 10 + 10 + 5 + 5 + 2 + 2 + 1);
      const ledger = (await hub.admin(`/users/${uid}/ledger?limit=100`)).body.items;
      expect(ledger).toHaveLength(11);
      expect(ledger.every((e: any) => e.kind === 'milestone' && e.eventId !== null)).toBe(true);
    });

    it.each([
      ['uid', { uid: 'U' }],
      ['userId', { userId: 'U' }],
      ['user_id', { user_id: 'U' }],
    ])('takes the user as %s', async (_name, fields) => {
      const uid = await newUser();
      const user = Object.fromEntries(Object.entries(fields).map(([k]) => [k, uid]));
      const answer = await post({ pid: 'cashgiraffe', gid: 'my_game', level_number: 5, ...user });
      expect(answer.status).toBe(200);
      expect(answer.body.user.id).toBe(uid);
    });

    it.each([
      ['gid', { gid: 'my_game' }],
      ['game_id', { game_id: 'my_game' }],
      ['gameId', { gameId: 'my_game' }],
    ])('takes the game as %s', async (_name, game) => {
      const uid = await newUser();
      const answer = await post({ pid: 'cashgiraffe', uid, level_number: 5, ...game });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ gid: 'my_game', game_id: 'my_game', coinDelta: 25 });
    });

    it.each([
      ['level_number', { level_number: 20 }],
      ['level', { level: 20 }],
    ])('takes the level as %s', async (_name, level) => {
      const uid = await newUser();
      const answer = await post({ pid: 'cashgiraffe', uid, gid: 'my_game', ...level });
      expect(answer.body).toMatchObject({ level_number: 20, coinDelta: 25 });
    });

    it('authenticates with X-Reward-Api-Secret as well', async () => {
      const uid = await newUser();
      const answer = await post(body(uid, 5), { 'x-reward-api-secret': secret });
      expect(answer.status).toBe(200);
      expect(answer.body.awarded).toBe(true);
    });

    it('keeps the optional reason in the event metadata', async () => {
      const uid = await newUser();
      await post({ ...body(uid, 5), reason: 'beat the boss' });
      const [event] = await eventsOf(uid);
      expect(event.metadata).toMatchObject({ reason: 'beat the boss' });
      expect(event.raw).toMatchObject({ method: 'POST', path: '/api/postback' });
      // The secret is never stored.
      expect(event.raw.headers.authorization).toBe('[redacted]');
      expect(JSON.stringify(event)).not.toContain(secret);
    });
  });

  describe('200: duplicate', () => {
    it('answers the same user + game + level once more with duplicate: true and no credit', async () => {
      const uid = await newUser();
      expect((await post(body(uid, 10))).body.awarded).toBe(true);
      const again = await post(body(uid, 10));
      expect(again.status).toBe(200);
      expect(again.body).toEqual({
        ok: true,
        awarded: false,
        duplicate: true,
        pid: 'cashgiraffe',
        gid: 'my_game',
        level_number: 10,
        message: 'Duplicate postback for this user, game, and level',
      });
      expect(await balance(uid)).toBe(25);
      const outcomes = (await eventsOf(uid)).map((e) => e.outcome);
      expect(outcomes).toEqual(['duplicate', 'accepted']);
    });

    it('treats an alias spelling of the same level as the same postback', async () => {
      const uid = await newUser();
      await post(body(uid, 15));
      const again = await post({ pid: 'cashgiraffe', user_id: uid.toUpperCase(), game_id: 'my_game', level: 15 });
      expect(again.body.duplicate).toBe(true);
    });

    it('credits once when 50 identical postbacks arrive at once', async () => {
      const uid = await newUser();
      const answers = await Promise.all(Array.from({ length: 50 }, () => post(body(uid, 25))));
      expect(answers.every((a) => a.status === 200)).toBe(true);
      expect(answers.filter((a) => a.body.awarded === true)).toHaveLength(1);
      expect(answers.filter((a) => a.body.duplicate === true)).toHaveLength(49);
      expect(await balance(uid)).toBe(25);
      expect((await hub.admin(`/users/${uid}/ledger`)).body.items).toHaveLength(1);
    });
  });

  describe('401: missing or invalid API secret', () => {
    it.each([
      ['no header', {}],
      ['a wrong bearer token', { authorization: 'Bearer pbh_wrong' }],
      ['a wrong X-Reward-Api-Secret', { 'x-reward-api-secret': 'pbh_wrong' }],
      ['a non-bearer Authorization', { authorization: 'Basic abc' }],
    ])('with %s', async (_case, headers) => {
      const uid = await newUser();
      const answer = await post(body(uid, 5), headers);
      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({ ok: false, error: 'unauthorized' });
      expect(await balance(uid)).toBe(0);
      const [event] = await eventsOf(uid);
      expect(event).toMatchObject({ outcome: 'rejected', reason: 'unauthorized' });
    });

    it('once the secret is revoked', async () => {
      const created = await hub.admin('/api-secrets', { body: { name: 'short-lived' } });
      const uid = await newUser();
      expect((await post(body(uid, 5), { authorization: `Bearer ${created.body.secret}` })).status).toBe(200);
      expect((await hub.admin(`/api-secrets/${created.body.id}`, { method: 'DELETE' })).body.revokedAt).not.toBeNull();
      expect((await post(body(uid, 10), { authorization: `Bearer ${created.body.secret}` })).status).toBe(401);
    });

    it('before looking at the body', async () => {
      const answer = await post('{not json', {});
      expect(answer.status).toBe(401);
    });
  });

  describe('400: invalid JSON, missing fields, unknown gid or pid', () => {
    it('names the field of a malformed body', async () => {
      const answer = await post('{"pid": "cashgiraffe",', bearer());
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ ok: false, error: 'invalid_json', message: 'body is not valid JSON', field: 'body' });
    });

    it.each(['pid', 'uid', 'gid', 'level_number'])('names %s when it is missing', async (field) => {
      const uid = await newUser();
      const full: Record<string, unknown> = body(uid, 5);
      delete full[field];
      const answer = await post(full);
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ ok: false, error: 'invalid_request', field });
      expect(await balance(uid)).toBe(0);
    });

    it.each([
      ['uid', 'not-a-uuid'],
      ['level_number', 0],
      ['level_number', -5],
      ['level_number', 2.5],
      ['level_number', 'ten'],
    ])('names %s when it is %j', async (field, value) => {
      const uid = await newUser();
      const answer = await post({ ...body(uid, 5), [field]: value });
      expect(answer.status).toBe(400);
      expect(answer.body.field).toBe(field);
    });

    it('rejects an unknown gid, recording why', async () => {
      const uid = await newUser();
      const answer = await post({ ...body(uid, 5), gid: 'not_in_catalog' });
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ error: 'unknown_gid', field: 'gid' });
      const [event] = await eventsOf(uid);
      expect(event).toMatchObject({ outcome: 'rejected', reason: 'unknown_offer', detail: 'game "not_in_catalog" is not in the reward games catalog' });
    });

    it('rejects an unknown pid', async () => {
      const uid = await newUser();
      const answer = await post({ ...body(uid, 5), pid: 'unregistered' });
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ error: 'unknown_pid', field: 'pid' });
    });

    it('answers a body that is not JSON with 415, and an oversized one with 413', async () => {
      const uid = await newUser();
      const form = await fetch(endpoint, { method: 'POST', headers: { ...bearer(), 'content-type': 'application/x-www-form-urlencoded' }, body: 'pid=x' });
      expect(form.status).toBe(415);
      expect(await form.json()).toMatchObject({ field: 'content-type' });
      const huge = await post({ ...body(uid, 5), reason: 'x'.repeat(100 * 1024) });
      expect(huge.status).toBe(413);
      expect(huge.body).toMatchObject({ error: 'payload_too_large' });
    });
  });

  describe('404: no user for the uid', () => {
    it('answers 404 and records the rejection', async () => {
      const uid = randomUUID();
      const answer = await post(body(uid, 5));
      expect(answer.status).toBe(404);
      expect(answer.body).toMatchObject({ ok: false, error: 'user_not_found', field: 'uid' });
      const [event] = await eventsOf(uid);
      expect(event).toMatchObject({ outcome: 'rejected', reason: 'unknown_user' });
    });
  });

  describe('308 from the legacy paths', () => {
    it.each(['/api/reward/postback', '/api/rewards/postback'])('%s redirects permanently, keeping method and body', async (path) => {
      const uid = await newUser();
      const redirect = await fetch(`${hub.url}${path}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/json', ...bearer() }, body: JSON.stringify(body(uid, 5)) });
      expect(redirect.status).toBe(308);
      expect(redirect.headers.get('location')).toBe('/api/postback');
      // A client that follows the redirect re-sends the same POST with the same body.
      const followed = await postJson(`${hub.url}${path}`, body(uid, 5), bearer());
      expect(followed.status).toBe(200);
      expect(followed.body).toMatchObject({ awarded: true, coinDelta: 25, user: { id: uid, coins: 25 } });
    });
  });
});
