// At-least-once delivery across crashes, and no double sends with several workers.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { MIN_LEASE_MS } from '../src/features/delivery/lease.js';
import { STORE_KINDS, createTestDatabase, type TestDatabase } from './helpers/stores.js';
import { HUB_START_MS, startHubProcess, type HubProcess } from './helpers/process.js';

const ADMIN = 'delivery-admin-token-0123456789';

/**
 * Counts requests by idempotency key; answers slowly, so that many are in flight. `arrived`
 * hears of each request as it comes, before it is answered.
 */
async function countingReceiver(delayMs: number, arrived: (count: number) => void = () => {}) {
  const seen = new Map<string, number>();
  const received = { count: 0 };
  const server = http.createServer((request, response) => {
    const key = String(request.headers['idempotency-key']);
    request.resume();
    request.on('end', () => {
      arrived(++received.count);
      setTimeout(() => {
        seen.set(key, (seen.get(key) ?? 0) + 1);
        response.end('OK');
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, received, close: () => new Promise((r) => server.close(r)) };
}

function env(db: TestDatabase, extra: Record<string, string> = {}): Record<string, string> {
  const url = db.config.kind === 'sqlite' ? `sqlite:${db.config.file}` : db.config.url;
  return { DATA_DIR: db.dataDir, DATABASE_URL: url, ADMIN_TOKEN: ADMIN, OUTBOUND_ALLOW: '127.0.0.0/8', ...extra };
}

async function admin(url: string, path: string, body: unknown): Promise<any> {
  const response = await fetch(`${url}/admin/api${path}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return response.json();
}

/** N registrations in one batch; their event ids. */
async function emit(url: string, secret: string, n: number): Promise<string[]> {
  const events = Array.from({ length: n }, () => ({ type: 'registration', idempotencyKey: randomUUID(), userId: `u-${randomUUID()}` }));
  const response = await fetch(`${url}/api/events/batch`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
  const { results } = (await response.json()) as { results: Array<{ eventId: string }> };
  return results.map((r) => r.eventId);
}

/** The delivery id of each event's (single) delivery. */
async function deliveryIds(url: string, secret: string, eventIds: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const eventId of eventIds) {
    const status = (await (await fetch(`${url}/api/events/${eventId}`, { headers: { authorization: `Bearer ${secret}` } })).json()) as { deliveries: Array<{ id: string }> };
    ids.push(status.deliveries[0]!.id);
  }
  return ids;
}

async function until(condition: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

describe.each(STORE_KINDS)('delivery lifecycle on %s', (kind) => {
  let db: TestDatabase;
  const processes: HubProcess[] = [];
  afterEach(async () => {
    for (const p of processes.splice(0)) {
      p.child.kill('SIGKILL');
      await p.exited;
    }
    await db.cleanup();
  });

  it('killed with SIGKILL while delivering, reaches every receiver at least once after restart, repeats with the same delivery id', async () => {
    db = await createTestDatabase(kind);
    // The shortest lease allowed (70 s), so that the restarted hub soon claims what the killed
    // one held; it outlasts a send (at most the destination's 5 s timeout) many times over.
    const lease = { DELIVERY_LEASE_MS: String(MIN_LEASE_MS) };
    let hub: HubProcess | undefined;
    // Killed by the receiver itself, at the 30th request: whatever the machine's speed, most
    // deliveries are still to send, and some are in flight.
    const receiver = await countingReceiver(50, (count) => {
      if (count === 30) hub?.child.kill('SIGKILL');
    });
    try {
      hub = await startHubProcess(env(db, lease));
      processes.push(hub);
      // A send that a busy machine makes time out is tried again soon, not after the default backoff.
      const retry = { kind: 'schedule', delaysMs: Array.from({ length: 20 }, () => 1000) };
      const created = await admin(hub.url, '/destinations', { name: 'counter', config: { url: `${receiver.url}/hook?u={user_id}`, timeoutMs: 5000, retry, match: { eventTypes: ['registration'] } } });
      expect(created.id, JSON.stringify(created)).toEqual(expect.any(String));
      const { secret } = await admin(hub.url, '/api-secrets', {});
      const eventIds = await emit(hub.url, secret, 300);
      await until(() => receiver.received.count >= 30, 60_000);
      expect(receiver.received.count).toBeGreaterThanOrEqual(30);
      await hub.exited;
      expect(receiver.seen.size).toBeLessThan(300);

      hub = await startHubProcess(env(db, lease));
      processes.push(hub);
      const ids = await deliveryIds(hub.url, secret, eventIds);
      // What the killed hub held waits out its lease first.
      await until(() => ids.every((id) => receiver.seen.has(id)), MIN_LEASE_MS + 90_000);
      expect(ids.filter((id) => !receiver.seen.has(id))).toEqual([]);
      // Nothing but these deliveries' ids ever arrived: a repeat is the same delivery, same id.
      expect([...receiver.seen.keys()].every((key) => ids.includes(key))).toBe(true);
    } finally {
      await receiver.close();
    }
  }, 2 * HUB_START_MS + MIN_LEASE_MS + 150_000);

  it.runIf(kind === 'postgres')('two worker processes drain one queue without sending any delivery twice', async () => {
    db = await createTestDatabase(kind);
    const receiver = await countingReceiver(20);
    try {
      // The default lease (90 s) outlasts a send (at most 30 s here) by far, and a send this slow
      // would be a machine stalled for half a minute: a delivery sent twice here could only be two
      // workers claiming it at once, or a lease running out under a send.
      const api = await startHubProcess(env(db), ['api']);
      processes.push(api);
      await admin(api.url, '/destinations', { name: 'counter', config: { url: `${receiver.url}/hook`, timeoutMs: 30_000, match: { eventTypes: ['registration'] } } });
      const { secret } = await admin(api.url, '/api-secrets', {});
      // Both run before anything is queued, so that both are told of every batch and claim side by side.
      for (let i = 0; i < 2; i++) {
        const worker = await startHubProcess(env(db, { PORT: '0' }), ['worker']);
        processes.push(worker);
      }
      const eventIds: string[] = [];
      for (let batch = 0; batch < 6; batch++) eventIds.push(...(await emit(api.url, secret, 50)));
      const ids = await deliveryIds(api.url, secret, eventIds);
      await until(() => receiver.seen.size >= 300, 60_000);
      expect(receiver.seen.size).toBe(300);
      expect([...receiver.seen.values()].every((count) => count === 1)).toBe(true);
      expect(ids.every((id) => receiver.seen.get(id) === 1)).toBe(true);
    } finally {
      await receiver.close();
    }
  }, 3 * HUB_START_MS + 90_000);
});
