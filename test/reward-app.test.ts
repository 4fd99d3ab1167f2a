// The reward app's side, through HTTP on SQLite and PostgreSQL: app keys (scopes, one app's
// users only, revocation), balances and ledgers in plain words, coins that add up (the fraction
// of a coin carried: a property test), the credit feed (two consumers, a crash before the ack,
// a double ack, a long-poll woken by a credit), "where is my reward?" for every outcome, and
// manual adjustments. The clock is held by the test.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FRAUD_POLICY } from '../src/features/conversions/fraud.js';
import { when } from '../src/features/reward-app/trace.js';
import { postJson, startTestHub, type TestHub } from './helpers/hub.js';
import { STORE_KINDS } from './helpers/stores.js';
import { HUB_START_MS } from './helpers/timing.js';

const MINUTE = 60_000;
/** The Gamezop source's rule below: 100,000 coins per USD, 20 % buffer: 1 micro-USD is 0.08 coin. */
const MICROCOINS_PER_MICRO_USD = 80_000;
const SESSION = '0.000012'; // 0.96 coin

describe.each(STORE_KINDS)('the reward app API on %s', (kind) => {
  let hub: TestHub;
  let now = Date.parse('2026-12-01T10:00:00Z');
  const clock = { now: () => now };
  let partner: Record<string, string>;
  let gamezop: { slug: string; secret: string };
  let keys: { all: string; feedOnly: string; other: string };

  beforeAll(async () => {
    hub = await startTestHub(kind, { worker: false, clock });
    for (const pid of ['cashgiraffe', 'otherapp']) expect((await hub.admin('/apps', { body: { pid } })).status).toBe(201);
    expect((await hub.admin('/offers', { body: { id: 'my_game', name: 'Word Blitz' } })).status).toBe(201);
    partner = { authorization: `Bearer ${(await hub.admin('/api-secrets', { body: {} })).body.secret}` };
    const source = await hub.admin('/sources', {
      body: {
        slug: 'gamezop',
        name: 'Gamezop',
        preset: 'gamezop',
        overrides: { reward: { kind: 'revenue-share', coinsPerUsd: 100_000, shareBps: 10_000, bufferBps: 2000 }, reversal: { kind: 'flag', path: 'status', value: 'reversed' } },
      },
    });
    expect(source.status, JSON.stringify(source.body)).toBe(201);
    gamezop = { slug: 'gamezop', secret: source.body.secret };
    const key = async (pid: string, scopes: string[]) => {
      const created = await hub.admin(`/apps/${pid}/keys`, { body: { name: `${pid} ${scopes.join(' ')}`, scopes } });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      return created.body.key as string;
    };
    keys = {
      all: await key('cashgiraffe', ['balances:read', 'feed:read', 'feed:ack', 'traces:read']),
      feedOnly: await key('cashgiraffe', ['feed:read']),
      other: await key('otherapp', ['balances:read', 'feed:read', 'feed:ack', 'traces:read']),
    };
  }, HUB_START_MS);
  afterAll(async () => {
    await hub?.close();
  });

  async function appApi(key: string, path: string, body?: unknown) {
    const response = await fetch(`${hub.url}/app/v1${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as any };
  }

  async function newUser(appId = 'cashgiraffe'): Promise<string> {
    // A uuid: the level postback API and Play Store links take nothing else.
    const id = randomUUID();
    expect((await hub.admin('/users', { body: { id, appId } })).status).toBe(201);
    return id;
  }

  async function session(userId: string, revenue = SESSION, extra: Record<string, unknown> = {}) {
    const sessionId = randomUUID();
    const answer = await postJson(`${hub.url}/postbacks/${gamezop.slug}`, { 'user-id': userId, 'session-id': sessionId, 'your-estimated-revenue': revenue, ...extra }, { authorization: `Bearer ${gamezop.secret}` });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return { sessionId, answer: answer.body };
  }

  async function reverse(userId: string, sessionId: string) {
    const answer = await postJson(`${hub.url}/postbacks/${gamezop.slug}`, { 'user-id': userId, 'session-id': sessionId, 'your-estimated-revenue': '0', status: 'reversed' }, { authorization: `Bearer ${gamezop.secret}` });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  }

  /** Everything in the app's feed now, acknowledged as read so the next test starts empty. */
  async function drainFeed(key = keys.all): Promise<any[]> {
    const items: any[] = [];
    for (let cursor: string | null = null; ; ) {
      const page = await appApi(key, `/feed?limit=500${cursor === null ? '' : `&cursor=${cursor}`}`);
      expect(page.status).toBe(200);
      if (page.body.items.length === 0) break;
      items.push(...page.body.items);
      cursor = page.body.nextCursor;
    }
    if (items.length > 0) expect((await appApi(key, '/feed/ack', { upTo: items.at(-1).position })).body.acknowledged).toBe(items.length);
    return items;
  }

  it('documents every route of the reward app API and its admin side in the OpenAPI document', async () => {
    const doc: any = await (await fetch(`${hub.url}/docs/json`)).json();
    const routes: Array<[string, string, string]> = [
      ['get', '/app/v1/users/{id}', 'appKey'],
      ['get', '/app/v1/users/{id}/ledger', 'appKey'],
      ['get', '/app/v1/users/{id}/trace', 'appKey'],
      ['get', '/app/v1/feed', 'appKey'],
      ['post', '/app/v1/feed/ack', 'appKey'],
      ['post', '/admin/api/apps/{pid}/keys', 'adminToken'],
      ['get', '/admin/api/apps/{pid}/keys', 'adminToken'],
      ['delete', '/admin/api/apps/{pid}/keys/{id}', 'adminToken'],
      ['get', '/admin/api/users/{id}/balance', 'adminToken'],
      ['get', '/admin/api/users/{id}/ledger', 'adminToken'],
      ['get', '/admin/api/users/{id}/trace', 'adminToken'],
      ['post', '/admin/api/users/{id}/adjustments', 'adminToken'],
    ];
    for (const [method, path, scheme] of routes) {
      const operation = doc.paths[path]?.[method];
      expect(operation, `${method} ${path}`).toBeDefined();
      expect(operation.summary.length, `${method} ${path}`).toBeGreaterThan(10);
      expect(operation.security).toEqual(scheme === 'adminToken' ? [{ adminToken: [] }, { adminSession: [] }] : [{ [scheme]: [] }]);
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining([method === 'post' && !path.endsWith('/ack') ? '201' : '200', '400', '401', '404']));
    }
    expect(doc.components.securitySchemes.appKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['AppKey', 'AppKeyCreated', 'Balance', 'FeedEntry', 'LedgerEntry', 'Trace']));
  });

  describe('app keys', () => {
    it('are shown once, listed with their last use, scoped, for one app, and revocable', async () => {
      const user = await newUser();
      const listed = (await hub.admin('/apps/cashgiraffe/keys')).body.items;
      expect(listed).toHaveLength(2);
      expect(listed[0]).not.toHaveProperty('key');
      expect(listed.map((k: any) => k.prefix)).toEqual(expect.arrayContaining([keys.all.slice(0, 10)]));

      expect((await appApi(keys.all, `/users/${user}`)).body).toEqual({ userId: user, coins: 0, carried: [], updatedAt: expect.any(String) });
      // Noted beside the request, not in its way: it shows up a moment later.
      const lastUse = async () => (await hub.admin('/apps/cashgiraffe/keys')).body.items.find((k: any) => k.prefix === keys.all.slice(0, 10)).lastUsedAt;
      for (const deadline = Date.now() + 20_000; (await lastUse()) === null && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await lastUse()).toBe(new Date(now).toISOString());

      // A scope it lacks: 403 naming the scope; another app's user: 404, as if there were none.
      expect(await appApi(keys.feedOnly, `/users/${user}`)).toMatchObject({ status: 403, body: { error: 'forbidden', field: 'scope' } });
      expect(await appApi(keys.other, `/users/${user}`)).toMatchObject({ status: 404, body: { error: 'not_found' } });
      expect(await appApi(keys.other, `/users/${user}/ledger`)).toMatchObject({ status: 404 });
      expect(await appApi(keys.other, `/users/${user}/trace`)).toMatchObject({ status: 404 });
      // Neither the admin token nor a partner secret opens the app API.
      expect((await appApi('test-admin-token-0123456789', `/users/${user}`)).status).toBe(401);
      expect((await appApi(partner.authorization!.slice(7), `/users/${user}`)).status).toBe(401);

      const spare = await hub.admin('/apps/cashgiraffe/keys', { body: { scopes: ['balances:read'] } });
      expect((await appApi(spare.body.key, `/users/${user}`)).status).toBe(200);
      const revoked = await hub.admin(`/apps/cashgiraffe/keys/${spare.body.id}`, { method: 'DELETE' });
      expect(revoked).toMatchObject({ status: 200, body: { revokedAt: new Date(now).toISOString() } });
      expect((await appApi(spare.body.key, `/users/${user}`)).status).toBe(401);
      // Refused as input: an unknown scope, an app that does not exist.
      expect(await hub.admin('/apps/cashgiraffe/keys', { body: { scopes: ['everything'] } })).toMatchObject({ status: 400, body: { field: expect.stringContaining('scopes') } });
      expect(await hub.admin('/apps/no-such-app/keys', { body: { scopes: ['feed:read'] } })).toMatchObject({ status: 404, body: { field: 'pid' } });
    });
  });

  describe('coins that add up', () => {
    it('credits 96 coins for 101 Gamezop sessions of 0.96 coin, carries the rest, and says why in the ledger', async () => {
      await drainFeed();
      const user = await newUser();
      // In waves of 10 at once: PostgreSQL records each wave together (one carry statement).
      for (let wave = 0; wave < 10; wave++) await Promise.all(Array.from({ length: 10 }, () => session(user)));
      await session(user);
      const balance = await appApi(keys.all, `/users/${user}`);
      expect(balance.body).toMatchObject({ coins: 96, carried: [{ source: 'gamezop', partner: 'Gamezop', fraction: '0.96' }] });

      const ledger = (await appApi(keys.all, `/users/${user}/ledger?limit=500`)).body.items;
      expect(ledger).toHaveLength(96);
      expect(ledger.every((e: any) => e.delta === 1 && e.kind === 'reward' && e.exactReward === '0.96')).toBe(true);
      expect(ledger[0].reason).toBe(
        'Session from Gamezop: 0.000012 USD × 100,000 coins per USD × 100% share × (1 − 20% buffer) = 0.96 coins (0.96 exact: whole coins are credited as the fractions add up)',
      );
      // The feed has every entry once (in commit order: concurrent sessions may commit in another order than their ids).
      const feed = await drainFeed();
      expect(feed.map((e) => e.id).sort()).toEqual(ledger.map((e: any) => e.id).sort());
    });

    it('credits the floor of the exact running sum for any sequence of sessions and reversals (property)', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.record({ microUsd: fc.integer({ min: 1, max: 40 }), reversed: fc.boolean() }), { minLength: 1, maxLength: 10 }), async (sessions) => {
          const user = await newUser();
          const ids: string[] = [];
          for (const s of sessions) ids.push((await session(user, (s.microUsd / 1e6).toFixed(6))).sessionId);
          let exact = sessions.reduce((sum, s) => sum + s.microUsd * MICROCOINS_PER_MICRO_USD, 0);
          expect((await appApi(keys.all, `/users/${user}`)).body.coins).toBe(Math.floor(exact / 1e6));
          for (const [i, s] of sessions.entries()) {
            if (!s.reversed) continue;
            await reverse(user, ids[i]!);
            exact -= s.microUsd * MICROCOINS_PER_MICRO_USD;
            const balance = (await appApi(keys.all, `/users/${user}`)).body;
            expect(balance.coins).toBe(Math.floor(exact / 1e6));
            const fraction = exact % 1e6;
            expect(balance.carried).toEqual(fraction === 0 ? [] : [expect.objectContaining({ fraction: (fraction / 1e6).toFixed(6).replace(/0+$/, '') })]);
          }
        }),
        { numRuns: 6 },
      );
      await drainFeed();
    }, 120_000);
  });

  describe('the credit feed', () => {
    it('serves each credit until acknowledged: two consumers, a crash before the ack, a double ack', async () => {
      await drainFeed();
      const user = await newUser();
      for (let i = 0; i < 5; i++) await session(user, '0.000050'); // 4 coins each
      const other = await newUser('otherapp');
      await session(other, '0.000050');

      // Two consumers read at once: both see the same five entries, in order.
      const [a, b] = await Promise.all([appApi(keys.all, '/feed'), appApi(keys.all, '/feed')]);
      expect(a.body.items).toHaveLength(5);
      expect(b.body.items.map((e: any) => e.id)).toEqual(a.body.items.map((e: any) => e.id));
      expect(a.body.items[0]).toMatchObject({ userId: user, delta: 4, kind: 'reward', reason: expect.stringContaining('Gamezop') });
      // The other app sees only its own user's entry, and cannot acknowledge this app's.
      const theirs = await appApi(keys.other, '/feed');
      expect(theirs.body.items.map((e: any) => e.userId)).toEqual([other]);
      expect((await appApi(keys.other, '/feed/ack', { ids: [a.body.items[0].id] })).body).toEqual({ acknowledged: 0, alreadyAcknowledged: 0, unknown: [a.body.items[0].id] });
      await drainFeed(keys.other);

      // The first consumer dies before its ack: the entries are still there for the next read.
      expect((await appApi(keys.all, '/feed')).body.items).toHaveLength(5);
      // Both acknowledge what they applied, racing: each entry is acknowledged once.
      const ids = a.body.items.map((e: any) => e.id);
      const [ackA, ackB] = await Promise.all([appApi(keys.all, '/feed/ack', { ids: ids.slice(0, 3) }), appApi(keys.all, '/feed/ack', { ids })]);
      expect(ackA.body.acknowledged + ackB.body.acknowledged).toBe(5);
      expect(ackA.body.acknowledged + ackA.body.alreadyAcknowledged).toBe(3);
      // An ack of what is acknowledged already changes nothing.
      expect((await appApi(keys.all, '/feed/ack', { ids })).body).toEqual({ acknowledged: 0, alreadyAcknowledged: 5, unknown: [] });
      expect((await appApi(keys.all, '/feed')).body.items).toEqual([]);

      // By cursor: read two, then after the second; acknowledge up to the second only.
      for (let i = 0; i < 3; i++) await session(user, '0.000025'); // 2 coins each
      const first = await appApi(keys.all, '/feed?limit=2');
      expect(first.body.items).toHaveLength(2);
      const rest = await appApi(keys.all, `/feed?cursor=${first.body.nextCursor}`);
      expect(rest.body.items).toHaveLength(1);
      expect((await appApi(keys.all, '/feed/ack', { upTo: first.body.nextCursor })).body.acknowledged).toBe(2);
      expect((await appApi(keys.all, '/feed')).body.items.map((e: any) => e.id)).toEqual(rest.body.items.map((e: any) => e.id));
      await drainFeed();

      // Bad input names its field.
      expect(await appApi(keys.all, '/feed?cursor=nonsense')).toMatchObject({ status: 400, body: { field: 'cursor' } });
      expect(await appApi(keys.all, '/feed/ack', {})).toMatchObject({ status: 400, body: { field: 'body' } });
      expect(await appApi(keys.feedOnly, '/feed/ack', { ids })).toMatchObject({ status: 403, body: { field: 'scope' } });
    });

    it('wakes a long-poll when a credit arrives', async () => {
      await drainFeed();
      const user = await newUser();
      const started = performance.now();
      const waiting = appApi(keys.all, '/feed?wait=25');
      // The credit lands once the request waits (it would answer at once otherwise).
      const service = hub.hub.services.rewardApp;
      for (const deadline = Date.now() + 20_000; service.waiting === 0 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(service.waiting).toBe(1);
      await session(user, '0.000100'); // 8 coins
      const answer = await waiting;
      expect(answer.body.items).toMatchObject([{ userId: user, delta: 8 }]);
      // Woken by the credit, not by the end of its wait.
      expect(performance.now() - started).toBeLessThan(20_000);
      await drainFeed();
      // With nothing to read, a short wait answers empty when it ends.
      expect((await appApi(keys.all, '/feed?wait=1')).body).toEqual({ items: [], nextCursor: null });
    }, 60_000);
  });

  describe('where is my reward?', () => {
    const trace = async (user: string, query = '') => {
      const answer = await appApi(keys.all, `/users/${user}/trace${query}`);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      return answer.body;
    };

    async function playStoreLink(): Promise<string> {
      const created = await hub.admin('/links', { body: { name: 'Word Blitz install', offerId: 'my_game', partner: 'levels', config: { playStore: { package: 'com.example.wordblitz', pid: 'cashgiraffe' } } } });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      return created.body.id;
    }

    async function click(linkId: string, user: string) {
      expect((await fetch(`${hub.url}/c/${linkId}?sub=${user}`, { redirect: 'manual' })).status).toBe(302);
      // Clicks are written behind the redirect: wait until this one is.
      const deadline = Date.now() + 20_000;
      while (((await hub.admin(`/clicks?link=${linkId}`)).body.items as any[]).every((c) => c.userId !== user)) {
        if (Date.now() > deadline) throw new Error('the click was never written');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }

    const level = (user: string, n: number) => postJson(`${hub.url}/api/postback`, { pid: 'cashgiraffe', uid: user, gid: 'my_game', level_number: n }, partner);

    it('follows a click to its credit, and says how long the partner usually takes while it waits', async () => {
      const linkId = await playStoreLink();
      const early = await newUser();
      expect(await trace(early)).toMatchObject({ status: { state: 'nothing_yet', message: 'nothing yet: no click and no postback for this user' }, steps: [] });

      // One user's conversion took 11 minutes from the click.
      await click(linkId, early);
      now += 11 * MINUTE;
      expect((await level(early, 10)).status).toBe(200);
      const done = await trace(early, '?offer=my_game');
      expect(done.status).toEqual({ state: 'credited', message: `credited 25 coins on ${when(now)}` });
      expect(done.steps.map((s: any) => s.kind)).toEqual(['click', 'postback', 'credit']);
      expect(done.steps[0].text).toBe('Clicked “Word Blitz install” for “Word Blitz” (partner levels), sent to the Play Store with an install referrer for app cashgiraffe');
      expect(done.steps[1].text).toMatch(/^the level postback API reported level 10 of “Word Blitz” \(transaction .+\), from click .+: accepted; rule: level 10 milestone: 25 coins$/);
      expect(done.steps[2].text).toBe('+25 coins: Level 10 of “Word Blitz” from the level postback API: level 10 milestone: 25 coins');

      // Another user clicked and nothing came yet: waiting, with the offer's usual delay.
      const waiting = await newUser();
      await click(linkId, waiting);
      now += MINUTE;
      expect((await trace(waiting, '?offer=my_game')).status).toEqual({
        state: 'waiting',
        message: `waiting for the partner: no postback yet since the click at ${when(now - MINUTE)}; this offer's partner reports usually within 11 minutes (median of its click-to-postback times)`,
      });
      await drainFeed();
    });

    it('tells rejected, duplicate, reversed, held, no reward and manual adjustments apart', async () => {
      // Rejected: an unknown game.
      const rejected = await newUser();
      const refused = await postJson(`${hub.url}/api/postback`, { pid: 'cashgiraffe', uid: rejected, gid: 'no_such_game', level_number: 10 }, partner);
      expect(refused).toMatchObject({ status: 400, body: { error: 'unknown_gid' } });
      expect((await trace(rejected)).status).toEqual({ state: 'rejected', message: 'rejected: game "no_such_game" is not in the reward games catalog' });

      // A duplicate: credited once, the second told apart.
      const twice = await newUser();
      expect((await level(twice, 10)).status).toBe(200);
      expect((await level(twice, 10)).status).toBe(200);
      const dup = await trace(twice, `?transaction=${twice}:my_game:10`);
      expect(dup.status.state).toBe('credited');
      expect(dup.steps.map((s: any) => s.kind)).toEqual(['postback', 'postback', 'credit']);
      expect(dup.steps[1].text).toMatch(/a duplicate of a postback already recorded, not credited again$/);

      // Reversed: the session and its reversal, found by the partner's transaction id.
      const reversed = await newUser();
      const { sessionId } = await session(reversed, '0.000100');
      now += MINUTE;
      await reverse(reversed, sessionId);
      const back = await trace(reversed, `?transaction=${sessionId}`);
      expect(back.status).toEqual({ state: 'reversed', message: `reversed: Gamezop took back this conversion on ${when(now)} (8 coins)` });
      expect(back.steps.map((s: any) => [s.kind, s.text])).toEqual([
        ['postback', `Gamezop reported session (transaction ${sessionId}): accepted; rule: 0.0001 USD × 100,000 coins per USD × 100% share × (1 − 20% buffer) = 8 coins`],
        ['credit', '+8 coins: Session from Gamezop: 0.0001 USD × 100,000 coins per USD × 100% share × (1 − 20% buffer) = 8 coins'],
        ['postback', `Gamezop reported session (transaction ${sessionId}): accepted`],
        ['reversal', `-8 coins: Reversal of postback "${sessionId}" from Gamezop: 8 coins taken back`],
      ]);

      // Below a whole coin: credited, carried.
      const small = await newUser();
      await session(small);
      expect((await trace(small)).status.message).toMatch(/^credited 0.96 coins on .+: below a whole coin so far, carried until the fractions add up to one$/);

      // Held for review, then no reward: a rule that gives nothing.
      expect((await hub.admin('/fraud-policy', { method: 'PUT', body: { ...DEFAULT_FRAUD_POLICY, perUserPerDay: { action: 'hold', max: 1 } } })).status).toBe(200);
      const held = await newUser();
      await session(held, '0.000100');
      await session(held, '0.000100');
      expect((await trace(held)).status).toEqual({ state: 'held', message: 'held for review: conversion 2 by this user today (maximum 1)' });
      expect((await hub.admin('/fraud-policy', { method: 'PUT', body: DEFAULT_FRAUD_POLICY })).status).toBe(200);
      const nothing = await newUser();
      await session(nothing, '0');
      expect((await trace(nothing)).status).toEqual({ state: 'no_reward', message: `recorded on ${when(now)}, with no reward` });

      // A manual adjustment: its own kind, its reason, in the ledger, the trace and the feed.
      await drainFeed();
      const adjusted = await hub.admin(`/users/${small}/adjustments`, { body: { coins: 50, reason: 'Support ticket #4411: offer credited late' } });
      expect(adjusted).toMatchObject({ status: 201, body: { user: { id: small, coins: 50 } } });
      const [entry] = (await appApi(keys.all, `/users/${small}/ledger`)).body.items;
      expect(entry).toMatchObject({ id: adjusted.body.entryId, kind: 'adjustment', delta: 50, reason: 'Manual adjustment: Support ticket #4411: offer credited late', note: 'Support ticket #4411: offer credited late' });
      expect((await trace(small)).steps.at(-1)).toMatchObject({ kind: 'adjustment', entryId: entry.id, text: '+50 coins: Manual adjustment: Support ticket #4411: offer credited late' });
      expect((await drainFeed()).map((e) => [e.id, e.kind])).toEqual([[entry.id, 'adjustment']]);
      expect(await hub.admin(`/users/${small}/adjustments`, { body: { coins: -51, reason: 'too much' } })).toMatchObject({ status: 409, body: { error: 'insufficient_balance', field: 'coins' } });
      expect(await hub.admin(`/users/${small}/adjustments`, { body: { coins: 0, reason: 'nothing' } })).toMatchObject({ status: 400, body: { field: 'coins' } });
      expect(await hub.admin(`/users/${small}/adjustments`, { body: { coins: -50, reason: 'Taken back: duplicate of #4411' } })).toMatchObject({ status: 201, body: { user: { coins: 0 } } });
      expect(await hub.admin(`/users/no-such-user/adjustments`, { body: { coins: 5, reason: 'x' } })).toMatchObject({ status: 404, body: { field: 'id' } });
      // Only an adjustment, no postback: said so.
      const bonus = await newUser();
      await hub.admin(`/users/${bonus}/adjustments`, { body: { coins: 20, reason: 'Welcome bonus' } });
      expect((await trace(bonus)).status).toEqual({ state: 'adjusted', message: `adjusted by hand: +20 coins on ${when(now)} (Welcome bonus); no click and no postback yet` });
      await drainFeed();
    });
  });
});
