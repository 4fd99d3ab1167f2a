// Goals through HTTP on SQLite and PostgreSQL: GG3's "Multi MainQuest Complete" (a group of 10,
// in any order, fired once, its postback at a real receiver with the user's attribution, a bonus
// credited once), the same last quest sent at once to two hubs (PostgreSQL: two processes' worth
// of connections), GGStrike (a count of 50, repeating at 100), a window that expires, a reversal
// taken back out of a goal in progress, and each user's progress. The clock is held by the test.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { postJson, startTestHub, type TestHub } from './helpers/hub.js';
import { startReceiver } from './helpers/receiver.js';
import { STORE_KINDS } from './helpers/stores.js';
import { HUB_START_MS } from './helpers/timing.js';

const QUESTS = Array.from({ length: 10 }, (_, i) => `q${i + 1}`);

/** A copy in a random order (Fisher–Yates). */
function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe.each(STORE_KINDS)('goals on %s', (kind) => {
  let hub: TestHub;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let platform: Record<string, string>;
  let now = Date.parse('2026-12-01T10:00:00Z');
  const clock = { now: () => now };

  beforeAll(async () => {
    hub = await startTestHub(kind, { worker: false, clock });
    receiver = await startReceiver();
    expect((await hub.admin('/offers', { body: { id: 'gg3_quest' } })).status).toBe(201);
    platform = { authorization: `Bearer ${(await hub.admin('/api-secrets', { body: {} })).body.secret}` };
  }, HUB_START_MS);
  afterAll(async () => {
    await hub?.close();
    await receiver?.close();
  });

  async function goal(body: Record<string, unknown>) {
    const created = await hub.admin('/goals', { body });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body;
  }

  async function emit(url: string, body: Record<string, unknown>) {
    const answer = await postJson(`${url}/api/events`, { idempotencyKey: randomUUID(), ...body }, platform);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body;
  }

  const goalEvents = async (user: string) => ((await hub.admin(`/events?user=${user}&source=goals&limit=100`)).body.items as any[]).reverse();
  const progress = async (user: string, id: string) => ((await hub.admin(`/users/${user}/goals`)).body.items as any[]).find((p) => p.goal.id === id);

  it("GG3's Multi MainQuest Complete: a group of 10 in any order fires once, reaches the partner with the user's attribution, credits its bonus once", async () => {
    const id = `multi-${kind}`;
    await goal({ id, name: 'Multi MainQuest Complete', config: { kind: 'all', conditions: QUESTS.map((q) => ({ eventType: 'mainquest_complete', data: { questId: q } })), bonusCoins: 500 } });
    const hook = `${receiver.url}/gg3-partner?userId={userId}&clickId={clickId}&event=multi_mainquest_complete`;
    const destination = await hub.admin('/destinations', { body: { name: `multi ${kind}`, config: { url: hook, match: { goals: [id] } } } });
    expect(destination.status, JSON.stringify(destination.body)).toBe(201);
    // The user came through the partner's tracking link, with the partner's click id.
    const link = await hub.admin('/links', { body: { offerId: 'gg3_quest', partner: 'aff-1', config: { target: 'https://gg3.xyz/quests/complete-50-quests?click_id={click_id}' } } });
    const user = String(Math.floor(Math.random() * 1e9));
    expect((await fetch(`${hub.url}/c/${link.body.id}?click_id=67890&user_id=${user}`, { redirect: 'manual' })).status).toBe(302);
    for (const deadline = Date.now() + 20_000; ((await hub.admin(`/clicks?link=${link.body.id}`)).body.items as any[]).length === 0 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));

    const order = shuffled(QUESTS);
    for (const [i, quest] of order.entries()) {
      now += 60_000;
      await emit(hub.url, { type: 'mainquest_complete', userId: user, offerId: 'gg3_quest', data: { questId: quest } });
      // A quest done again, and an unrelated event, change nothing.
      if (i === 3) await emit(hub.url, { type: 'mainquest_complete', userId: user, offerId: 'gg3_quest', data: { questId: order[0] } });
      if (i === 5) await emit(hub.url, { type: 'registration', userId: user, offerId: 'gg3_quest' });
      if (i < 9) expect(await goalEvents(user)).toEqual([]);
    }
    const [completed, ...more] = await goalEvents(user);
    expect(more).toEqual([]);
    expect(completed).toMatchObject({ type: 'goal', source: 'goals', userId: user, coins: 500, partner: 'aff-1', metadata: { goal: id, goalName: 'Multi MainQuest Complete', completion: 1 } });
    expect(completed.metadata.completedBy).toHaveLength(10);
    // More quests after it completed: a group completes once.
    await emit(hub.url, { type: 'mainquest_complete', userId: user, offerId: 'gg3_quest', data: { questId: 'q1' } });
    expect(await goalEvents(user)).toHaveLength(1);
    expect(await progress(user, id)).toMatchObject({ met: QUESTS.map(() => true), completions: 1 });

    // The bonus, once, with its reason; the partner's postback, once, with the macros filled.
    expect((await hub.admin(`/users/${user}`)).body.coins).toBe(500);
    const [entry] = (await hub.admin(`/users/${user}/ledger`)).body.items;
    expect(entry).toMatchObject({ kind: 'goal', delta: 500, reason: 'Goal “Multi MainQuest Complete” completed: a bonus of 500 coins' });
    await hub.hub.services.worker.runOnce();
    await hub.hub.services.worker.runOnce();
    expect(receiver.received.filter((r) => r.url.startsWith('/gg3-partner')).map((r) => r.url)).toEqual([`/gg3-partner?userId=${user}&clickId=67890&event=multi_mainquest_complete`]);
    // The trace tells it.
    const trace = (await hub.admin(`/users/${user}/trace`)).body;
    expect(trace.steps.filter((s: any) => s.kind === 'goal').map((s: any) => s.text)).toEqual(['Goal “Multi MainQuest Complete” completed by 10 events: a bonus of 500 coins']);
  });

  it('fires once when its last condition arrives twice at the same moment (PostgreSQL: at two hubs)', async () => {
    const id = `race-${kind}`;
    await goal({ id, name: 'Race', config: { kind: 'all', conditions: [{ eventType: 'step', data: { n: '1' } }, { eventType: 'step', data: { n: '2' } }], bonusCoins: 10 } });
    const second = kind === 'postgres' ? await startTestHub(kind, { worker: false, clock, db: hub.db }) : hub;
    try {
      // Each hub reads goals once a second: the new goal must be in force at the second one too.
      for (const deadline = Date.now() + 20_000; ((await second.admin('/goals?limit=500')).body.items as any[]).every((g) => g.id !== id) && Date.now() < deadline; );
      for (let round = 0; round < 5; round++) {
        const user = `race-${randomUUID()}`;
        await emit(hub.url, { type: 'step', userId: user, data: { n: '1' } });
        await Promise.all([hub.url, second.url, hub.url, second.url].map((url) => emit(url, { type: 'step', userId: user, data: { n: '2' } })));
        expect(await goalEvents(user)).toHaveLength(1);
        expect((await hub.admin(`/users/${user}`)).body.coins).toBe(10);
        expect(await progress(user, id)).toMatchObject({ completions: 1 });
      }
    } finally {
      if (second !== hub) await second.close();
    }
  }, 2 * HUB_START_MS);

  it('GGStrike: a count of 50 fires at 50 (one-shot) and at 50 and 100 (repeating)', async () => {
    await goal({ id: `strike-once-${kind}`, name: 'GGStrike 50', config: { kind: 'count', condition: { eventType: 'gg_button' }, count: 50 } });
    await goal({ id: `strike-every-${kind}`, name: 'GGStrike every 50', config: { kind: 'count', condition: { eventType: 'gg_button' }, count: 50, repeat: true, bonusCoins: 5 } });
    const user = `striker-${randomUUID()}`;
    // In waves of 10 at once: PostgreSQL runs them side by side.
    for (let wave = 0; wave < 10; wave++) {
      await Promise.all(Array.from({ length: 10 }, () => emit(hub.url, { type: 'gg_button', userId: user })));
      const fired = await goalEvents(user);
      const presses = (wave + 1) * 10;
      expect(fired.filter((e) => e.metadata.goal === `strike-once-${kind}`)).toHaveLength(presses >= 50 ? 1 : 0);
      expect(fired.filter((e) => e.metadata.goal === `strike-every-${kind}`).map((e) => e.metadata.completion)).toEqual(presses >= 100 ? [1, 2] : presses >= 50 ? [1] : []);
    }
    expect((await hub.admin(`/users/${user}`)).body.coins).toBe(10);
    expect(await progress(user, `strike-every-${kind}`)).toMatchObject({ count: 0, completions: 2 });
    expect(await progress(user, `strike-once-${kind}`)).toMatchObject({ count: 100, completions: 1 });
  });

  it('starts again when its window expires', async () => {
    const id = `window-${kind}`;
    await goal({ id, name: 'Within a minute', config: { kind: 'all', conditions: [{ eventType: 'a' }, { eventType: 'b' }], windowSeconds: 60 } });
    const user = `w-${randomUUID()}`;
    await emit(hub.url, { type: 'a', userId: user });
    now += 61_000;
    await emit(hub.url, { type: 'b', userId: user });
    expect(await goalEvents(user)).toEqual([]);
    expect(await progress(user, id)).toMatchObject({ met: [false, true], completions: 0, windowEnds: new Date(now + 60_000).toISOString() });
    now += 30_000;
    await emit(hub.url, { type: 'a', userId: user });
    expect(await goalEvents(user)).toHaveLength(1);
  });

  it('takes a reversed event back out of a goal in progress, not out of a completed one', async () => {
    const source = await hub.admin('/sources', { body: { slug: `wall-${kind}`, preset: 'gamezop', overrides: { reversal: { kind: 'flag', path: 'status', value: 'reversed' } } } });
    expect(source.status, JSON.stringify(source.body)).toBe(201);
    const id = `sessions-${kind}`;
    await goal({ id, name: 'Three sessions', config: { kind: 'count', condition: { source: `wall-${kind}`, eventType: 'session' }, count: 3 } });
    const user = `rev-${randomUUID()}`;
    const session = async (sessionId: string, extra: Record<string, unknown> = {}) => {
      const answer = await postJson(`${hub.url}/postbacks/wall-${kind}`, { 'user-id': user, 'session-id': sessionId, 'your-estimated-revenue': '0.01', ...extra }, { authorization: `Bearer ${source.body.secret}` });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    };
    await session('s1');
    await session('s2');
    expect(await progress(user, id)).toMatchObject({ count: 2 });
    await session('s1', { status: 'reversed' });
    expect(await progress(user, id)).toMatchObject({ count: 1, completions: 0 });
    await session('s3');
    await session('s4');
    expect(await goalEvents(user)).toHaveLength(1);
    // Completed: a reversal now leaves it completed (and its count as it was).
    await session('s4', { status: 'reversed' });
    expect(await progress(user, id)).toMatchObject({ count: 3, completions: 1 });
    expect(await goalEvents(user)).toHaveLength(1);
  });

  it.runIf(kind === 'postgres')('costs one statement more, however many goals an event advances, in its transaction', async () => {
    await goal({ id: 'tick-count', name: 'Ticks', config: { kind: 'count', condition: { eventType: 'tick' }, count: 1000 } });
    await goal({ id: 'tick-tock', name: 'Tick and tock', config: { kind: 'all', conditions: [{ eventType: 'tick' }, { eventType: 'tock' }] } });
    const user = `cost-${randomUUID()}`;
    // The statements of the one transaction that records an event (reads before it are not counted).
    const written = async (type: string): Promise<string[]> => {
      const sent = vi.spyOn(pg.Client.prototype, 'query');
      try {
        await emit(hub.url, { type, userId: user });
        const texts = sent.mock.calls.map(([query]) => (typeof query === 'string' ? query : (query as { text: string }).text));
        return texts.slice(texts.indexOf('BEGIN'), texts.indexOf('COMMIT') + 1);
      } finally {
        sent.mockRestore();
      }
    };
    await written('tick'); // the goals and destinations read once, the user created
    const none = await written('other');
    const two = await written('tick');
    expect(two.length - none.length).toBe(1);
    expect(two.filter((text) => text.startsWith('INSERT INTO goal_progress'))).toHaveLength(1);
  });

  it('refuses a goal that would match anything, and names the field', async () => {
    expect(await hub.admin('/goals', { body: { name: 'x', config: { kind: 'count', condition: {}, count: 5 } } })).toMatchObject({ status: 400, body: { field: 'config.condition' } });
    expect(await hub.admin('/goals', { body: { name: 'x', config: { kind: 'all', conditions: Array.from({ length: 11 }, () => ({ eventType: 'a' })) } } })).toMatchObject({ status: 400 });
    expect(await hub.admin('/goals', { body: { name: 'x', config: { kind: 'count', condition: { eventType: 'a' }, count: 0 } } })).toMatchObject({ status: 400, body: { field: 'config.count' } });
    expect(await hub.admin('/goals', { body: { name: 'x', config: { kind: 'count', condition: { data: { '': 'q1' } }, count: 5 } } })).toMatchObject({ status: 400, body: { field: expect.stringContaining('config.condition.data') } });
    expect((await hub.admin('/goals/no-such-goal')).status).toBe(404);
  });

  it('starts afresh when a goal is deleted and made again under its id', async () => {
    const id = `again-${kind}`;
    const config = { kind: 'count', condition: { eventType: 'welcome' }, count: 1, bonusCoins: 7 };
    await goal({ id, name: 'Welcome', config });
    const user = `again-${randomUUID()}`;
    await emit(hub.url, { type: 'welcome', userId: user });
    expect((await hub.admin(`/goals/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect(await progress(user, id)).toBeUndefined();
    now += 1000;
    await goal({ id, name: 'Welcome', config });
    await emit(hub.url, { type: 'welcome', userId: user });
    expect((await goalEvents(user)).map((e) => e.metadata.completion)).toEqual([1, 1]);
    expect((await hub.admin(`/users/${user}`)).body.coins).toBe(14);
  });
});
