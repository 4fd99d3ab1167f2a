// When the store cannot be written, a postback gets a 503 (so the partner retries) and
// nothing of it is recorded: the retry, once the store is back, is credited exactly once.
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { STORE_KINDS, createTestDatabase, TEST_DATABASE_URL } from './helpers/stores.js';
import { postJson, startTestHub, type TestHub } from './helpers/hub.js';
import { CuttableProxy } from './helpers/cuttable-proxy.js';

describe('store unavailable', () => {
  let hub: TestHub | undefined;
  afterEach(async () => {
    await hub?.close();
    hub = undefined;
  });

  async function setUp(h: TestHub) {
    await h.admin('/apps', { body: { pid: 'cashgiraffe' } });
    await h.admin('/offers', { body: { id: 'my_game' } });
    const uid = randomUUID();
    await h.admin('/users', { body: { id: uid } });
    const { secret } = (await h.admin('/api-secrets', { body: {} })).body;
    const send = (level: number) => postJson(`${h.url}/api/postback`, { pid: 'cashgiraffe', uid, gid: 'my_game', level_number: level }, { authorization: `Bearer ${secret}` });
    return { uid, send };
  }

  it.runIf(STORE_KINDS.includes('postgres'))('PostgreSQL unreachable: 503 and nothing recorded', async () => {
    const db = await createTestDatabase('postgres');
    const target = new URL(TEST_DATABASE_URL);
    const proxy = new CuttableProxy({ host: target.hostname, port: Number(target.port || 5432) });
    await proxy.open();
    const url = new URL(db.config.kind === 'postgres' ? db.config.url : '');
    url.host = `127.0.0.1:${proxy.port}`;
    try {
      hub = await startTestHub('postgres', { db, database: { kind: 'postgres', url: url.toString(), poolSize: 4 } });
      const { uid, send } = await setUp(hub);
      expect((await send(5)).status).toBe(200);

      await proxy.cut();
      const refused = await send(10);
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({ ok: false, error: 'store_unavailable' });
      expect(refused.headers.get('retry-after')).toBe('5');
      expect((await fetch(`${hub.url}/readyz`)).status).toBe(503);

      await proxy.open();
      const retried = await send(10);
      expect(retried.status).toBe(200);
      expect(retried.body).toMatchObject({ awarded: true, coinDelta: 25, user: { coins: 50 } });
      const events = (await hub.admin(`/events?user=${uid}`)).body.items;
      expect(events.map((e: any) => [e.outcome, e.level])).toEqual([
        ['accepted', 10],
        ['accepted', 5],
      ]);
    } finally {
      await proxy.cut();
      await hub?.close();
      hub = undefined;
      await db.cleanup();
    }
  });

  it('SQLite file locked by another process: 503 and nothing recorded', async () => {
    hub = await startTestHub('sqlite');
    const { uid, send } = await setUp(hub);
    expect((await send(5)).status).toBe(200);

    // Another connection takes the write lock and keeps it past the writer's busy timeout.
    const other = new Database(hub.db.config.kind === 'sqlite' ? hub.db.config.file : '');
    other.exec('BEGIN IMMEDIATE');
    try {
      const refused = await send(10);
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({ ok: false, error: 'store_unavailable' });
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }

    const retried = await send(10);
    expect(retried.body).toMatchObject({ awarded: true, user: { coins: 50 } });
    const events = (await hub.admin(`/events?user=${uid}`)).body.items;
    expect(events.map((e: any) => e.outcome)).toEqual(['accepted', 'accepted']);
  });
});
