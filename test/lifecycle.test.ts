// The promise behind every 200: the postback is durably stored. Killed with SIGKILL under
// load, the hub restarts with every acknowledged postback stored exactly once and balances
// equal to the sum of the ledger; stopped with SIGTERM, it finishes what it accepted.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { STORE_KINDS, createTestDatabase, type TestDatabase } from './helpers/stores.js';
import { HUB_START_MS, startHubProcess, type HubProcess } from './helpers/process.js';

const ADMIN = 'lifecycle-admin-token-0123456789';
const USERS = 16;
const CONNECTIONS = 32;

interface Ack {
  uid: string;
  level: number;
  coinDelta: number;
}

function hubEnv(db: TestDatabase): Record<string, string> {
  const url = db.config.kind === 'sqlite' ? `sqlite:${db.config.file}` : db.config.url;
  return { DATA_DIR: db.dataDir, DATABASE_URL: url, ADMIN_TOKEN: ADMIN, LOG_LEVEL: 'info' };
}

async function admin(url: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${url}/admin/api${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return response.json();
}

async function seed(url: string): Promise<{ users: string[]; secret: string }> {
  await admin(url, '/apps', { pid: 'cashgiraffe' });
  await admin(url, '/offers', { id: 'my_game' });
  const users: string[] = [];
  for (let i = 0; i < USERS; i++) users.push((await admin(url, '/users', { id: randomUUID() })).id);
  const { secret } = await admin(url, '/api-secrets', { name: 'load' });
  return { users, secret };
}

/**
 * CONNECTIONS loops, each sending distinct postbacks (its own users and levels) until `stop`
 * resolves or the hub goes away; returns what was acknowledged with a 200.
 */
function drive(url: string, users: string[], secret: string, stop: Promise<void>) {
  const acks: Ack[] = [];
  let stopped = false;
  void stop.then(() => (stopped = true));
  const loops = Array.from({ length: CONNECTIONS }, async (_, c) => {
    for (let n = 0; !stopped && n < 10_000; n++) {
      const uid = users[c % users.length]!;
      const level = 1 + Math.floor(c / users.length) + n * (CONNECTIONS / users.length);
      try {
        const response = await fetch(`${url}/api/postback`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
          body: JSON.stringify({ pid: 'cashgiraffe', uid, gid: 'my_game', level_number: level }),
        });
        const body = (await response.json()) as { coinDelta?: number };
        if (response.status === 200) acks.push({ uid, level, coinDelta: body.coinDelta ?? -1 });
        else if (response.status !== 503) throw new Error(`unexpected ${response.status}`);
      } catch (error) {
        if ((error as Error).message.startsWith('unexpected')) throw error;
        return; // the hub is gone: this loop ends
      }
    }
  });
  return { acks, done: Promise.all(loops) };
}

/** Every acknowledged postback stored exactly once; every balance equal to its ledger. */
async function verify(url: string, users: string[], acks: Ack[]): Promise<void> {
  const accepted = new Map<string, number>();
  for (const uid of users) {
    let cursor: string | null = null;
    do {
      const page: any = await admin(url, `/events?user=${uid}&status=accepted&limit=500${cursor ? `&cursor=${cursor}` : ''}`);
      for (const e of page.items) accepted.set(`${uid}:${e.level}`, (accepted.get(`${uid}:${e.level}`) ?? 0) + 1);
      cursor = page.nextCursor;
    } while (cursor !== null);

    const user = await admin(url, `/users/${uid}`);
    let ledgerSum = 0;
    cursor = null;
    do {
      const page: any = await admin(url, `/users/${uid}/ledger?limit=500${cursor ? `&cursor=${cursor}` : ''}`);
      for (const e of page.items) ledgerSum += e.delta;
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(user.coins).toBe(ledgerSum);
  }
  for (const ack of acks) expect(accepted.get(`${ack.uid}:${ack.level}`), `${ack.uid} level ${ack.level}`).toBe(1);
  for (const count of accepted.values()) expect(count).toBe(1);
}

describe.each(STORE_KINDS)('hub process on %s', (kind) => {
  let db: TestDatabase;
  let running: HubProcess | undefined;

  afterEach(async () => {
    running?.child.kill('SIGKILL');
    await running?.exited;
    running = undefined;
    await db.cleanup();
  });

  it('killed with SIGKILL mid-load, keeps every acknowledged postback exactly once', async () => {
    db = await createTestDatabase(kind);
    running = await startHubProcess(hubEnv(db));
    const { users, secret } = await seed(running.url);

    let kill!: () => void;
    const killed = new Promise<void>((resolve) => (kill = resolve));
    const load = drive(running.url, users, secret, killed);
    // Kill once a good number of postbacks are acknowledged, with many more in flight.
    const deadline = Date.now() + 60_000;
    while (load.acks.length < 400 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    running.child.kill('SIGKILL');
    kill();
    await running.exited;
    await load.done;
    expect(load.acks.length).toBeGreaterThanOrEqual(400);

    running = await startHubProcess(hubEnv(db));
    await verify(running.url, users, load.acks);
  }, 2 * HUB_START_MS + 120_000);

  it('stopped with SIGTERM mid-load, answers what it accepted, stores it, and exits cleanly', async () => {
    db = await createTestDatabase(kind);
    running = await startHubProcess(hubEnv(db));
    const { users, secret } = await seed(running.url);

    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const load = drive(running.url, users, secret, stopped);
    const deadline = Date.now() + 60_000;
    while (load.acks.length < 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(load.acks.length).toBeGreaterThanOrEqual(200);
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
    stop();
    await load.done;
    expect(running.output()).toContain('"msg":"stopped"');

    running = await startHubProcess(hubEnv(db));
    await verify(running.url, users, load.acks);
  }, 2 * HUB_START_MS + 120_000);
});
