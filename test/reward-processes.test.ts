// Two `api` processes of the built CLI on one PostgreSQL: a goal's last condition sent to both
// at once completes it once, and a long-poll of the credit feed in one process is woken by a
// credit committed in the other (LISTEN/NOTIFY).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, STORE_KINDS, type TestDatabase } from './helpers/stores.js';
import { HUB_START_MS, startHubProcess, type HubProcess } from './helpers/process.js';

const ADMIN = 'reward-processes-admin-token-0123456789';

describe.runIf(STORE_KINDS.includes('postgres'))('the reward app and goals across two processes on PostgreSQL', () => {
  let db: TestDatabase;
  let a: HubProcess;
  let b: HubProcess;
  let partner: Record<string, string>;
  let appKey: string;

  const env = () => ({ DATA_DIR: db.dataDir, DATABASE_URL: (db.config as { url: string }).url, ADMIN_TOKEN: ADMIN, OUTBOUND_ALLOW: '127.0.0.0/8' });
  async function call(url: string, path: string, body?: unknown, token = ADMIN): Promise<{ status: number; body: any }> {
    const response = await fetch(`${url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: await response.json() };
  }

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    a = await startHubProcess(env(), ['api']);
    expect((await call(a.url, '/admin/api/apps', { pid: 'cashgiraffe' })).status).toBe(201);
    partner = { authorization: `Bearer ${(await call(a.url, '/admin/api/api-secrets', {})).body.secret}` };
    appKey = (await call(a.url, '/admin/api/apps/cashgiraffe/keys', { scopes: ['feed:read', 'feed:ack'] })).body.key;
    const goal = await call(a.url, '/admin/api/goals', { id: 'pair', name: 'Both steps', config: { kind: 'all', conditions: [{ eventType: 'step', data: { n: '1' } }, { eventType: 'step', data: { n: '2' } }], bonusCoins: 3 } });
    expect(goal.status, JSON.stringify(goal.body)).toBe(201);
    // Started after the goal exists: its first read of the goals finds it.
    b = await startHubProcess(env(), ['api']);
  }, 3 * HUB_START_MS);
  afterAll(async () => {
    for (const hub of [a, b]) {
      hub?.child.kill('SIGTERM');
      await hub?.exited;
    }
    await db?.cleanup();
  });

  const emit = async (url: string, body: Record<string, unknown>) => {
    const answer = await fetch(`${url}/api/events`, { method: 'POST', headers: { ...partner, 'content-type': 'application/json' }, body: JSON.stringify({ idempotencyKey: randomUUID(), ...body }) });
    expect(answer.status).toBe(200);
  };

  it('completes a goal once when its last condition reaches both processes at once', async () => {
    for (let round = 0; round < 5; round++) {
      const user = `two-${randomUUID()}`;
      await emit(a.url, { type: 'step', userId: user, data: { n: '1' } });
      await Promise.all([a.url, b.url, a.url, b.url].map((url) => emit(url, { type: 'step', userId: user, data: { n: '2' } })));
      expect((await call(a.url, `/admin/api/events?user=${user}&source=goals`)).body.items).toHaveLength(1);
      expect((await call(b.url, `/admin/api/users/${user}`)).body.coins).toBe(3);
    }
  });

  it("wakes one process's long-poll of the credit feed with a credit committed in the other", async () => {
    const user = (await call(a.url, '/admin/api/users', { appId: 'cashgiraffe' })).body.id as string;
    const started = performance.now();
    const waiting = call(b.url, '/app/v1/feed?wait=25', undefined, appKey);
    // Let the request reach its wait first (it would answer at once with an entry already there).
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await call(a.url, `/admin/api/users/${user}/adjustments`, { coins: 5, reason: 'across processes' })).status).toBe(201);
    const answer = await waiting;
    expect(answer.body.items).toMatchObject([{ userId: user, delta: 5, kind: 'adjustment' }]);
    expect(performance.now() - started).toBeLessThan(20_000);
  }, 60_000);
});
