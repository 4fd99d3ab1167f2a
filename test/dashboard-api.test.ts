// The dashboard's two admin endpoints (overview stats, test postback) and /admin itself, on both stores.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../src/lib/ids.js';
import { dashboardRoutes } from '../src/http/routes/dashboard.js';
import type { TestStore as Store } from './helpers/stores.js';
import { STORE_KINDS, openTestStore, type TestDatabase } from './helpers/stores.js';
import { testEvent } from './helpers/events.js';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { HUB_START_MS } from './helpers/timing.js';
import type { NewEvent } from '../src/features/conversions/events-types.js';

const T0 = 1_750_000_000_000; // a whole minute
const MIN = 60_000;

const event = (overrides: Partial<NewEvent>): NewEvent => testEvent({ source: 'shop', type: 'conversion', receivedAt: T0, ...overrides });

describe.each(STORE_KINDS)('stats on %s', (kind) => {
  let store: Store;
  let db: TestDatabase;
  beforeEach(async () => {
    ({ store, db } = await openTestStore(kind));
  });
  afterEach(async () => {
    await store.close();
    await db.cleanup();
  });

  it('counts events by outcome, coins, revenue per currency and deliveries per bucket', async () => {
    await store.createDestination({ id: 'dest-1', name: 'd', config: {}, secretsCiphertext: null, enabled: true, pausedAt: null, pauseReason: null, consecutiveFailures: 0, createdAt: T0, updatedAt: T0 });
    const accept = (at: number, externalId: string, coins: number, amountMicros: number | null, currency: string | null, deliveries = 0) =>
      store.recordEvent({
        event: event({ receivedAt: at, externalId, userId: 'u-1', amountMicros, currency }),
        requires: {},
        ensureUser: true,
        credit: { ledgerEntryId: newId(), micros: coins * 1_000_000, kind: 'reward' },
        deliveries: Array.from({ length: deliveries }, () => ({ id: newId(), destinationId: 'dest-1' })),
      });
    // Minute 0: three accepted (USD 2.10 + 0.000001, EUR 1.000002 − 0.000002: whole units and
    // micro-units are summed apart, a negative amount too), one duplicate; minute 2: one
    // rejected, one reversal.
    await accept(T0 + 1_000, 'a', 25, 2_100_000, 'USD', 2);
    await accept(T0 + 2_000, 'b', 10, 1, 'USD');
    await accept(T0 + 3_000, 'c', 5, 1_000_002, 'EUR');
    await accept(T0 + 3_500, 'c-', 0, -2, 'EUR');
    expect((await accept(T0 + 4_000, 'a', 25, 2_100_000, 'USD')).outcome).toBe('duplicate');
    await store.recordRejection(event({ receivedAt: T0 + 2 * MIN + 5 }), 'unauthorized', 'wrong secret');
    await store.recordEvent({ event: event({ receivedAt: T0 + 2 * MIN + 9, externalId: 'r-b', userId: 'u-1' }), requires: {}, credit: null, reversalOf: 'b' });
    // Outside the range: not counted.
    await accept(T0 + 3 * MIN, 'late', 99, 5_000_000, 'USD', 1);
    await store.recordRejection(event({ receivedAt: T0 - 1 }), 'unauthorized', 'early');

    const [first] = await store.claimDueDeliveries(T0 + 10_000, 1, 60_000);
    await store.completeAttempts([{
      deliveryId: first!.id,
      destinationId: 'dest-1',
      attempt: { id: newId(), attempt: 1, startedAt: T0 + 10_000, url: 'http://x/', method: 'GET', requestHeaders: {}, status: 200, latencyMs: 3, responseExcerpt: 'OK', error: null },
      next: { state: 'succeeded' },
      failed: false,
      pauseAfterFailures: 10,
      pauseNow: null,
      now: T0 + 10_000,
    }]);

    const stats = await store.stats({ from: T0, to: T0 + 3 * MIN, bucketMs: MIN, now: T0 + 5 * MIN });
    expect(stats.buckets.map((b) => b.start)).toEqual([T0, T0 + MIN, T0 + 2 * MIN]);
    expect(stats.buckets[0]).toEqual({
      start: T0,
      accepted: 4,
      duplicate: 1,
      rejected: 0,
      coinsCredited: 40,
      coinsReversed: 0,
      revenueMicros: { USD: 2_100_001n, EUR: 1_000_000n },
      deliveries: { pending: 1, delivering: 0, succeeded: 1, failed: 0 },
    });
    expect(stats.buckets[1]).toMatchObject({ accepted: 0, duplicate: 0, rejected: 0, coinsCredited: 0, revenueMicros: {} });
    expect(stats.buckets[2]).toMatchObject({ accepted: 1, rejected: 1, coinsCredited: 0, coinsReversed: 10 });
    // Backlog counts every pending delivery (the one outside the range too); the oldest became due at T0+1s.
    expect(stats.backlog).toEqual({ pending: 2, due: 2, scheduled: 0, parked: 0, delivering: 0, failed: 0 });
    // Before T0+3min, the later one is waiting for its time: scheduled, not due (the oldest-due age does not count it).
    const earlier = await store.stats({ from: T0, to: T0 + 3 * MIN, bucketMs: MIN, now: T0 + 2 * MIN });
    expect(earlier.backlog).toEqual({ pending: 2, due: 1, scheduled: 1, parked: 0, delivering: 0, failed: 0 });
    expect(stats.oldestDueAt).toBe(T0 + 1_000);
    expect(stats.pausedDestinations).toBe(0);
  });

  it('answers empty buckets for an empty range', async () => {
    const stats = await store.stats({ from: T0, to: T0 + 90_000, bucketMs: MIN, now: T0 });
    expect(stats.buckets).toHaveLength(2);
    expect(stats).toMatchObject({ backlog: { pending: 0, due: 0, scheduled: 0, parked: 0, delivering: 0, failed: 0 }, oldestDueAt: null });
  });
});

describe.each(STORE_KINDS)('dashboard admin endpoints on %s', (kind) => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub(kind, { worker: false });
  }, HUB_START_MS);
  afterAll(async () => {
    await hub?.close();
  });

  it('GET /stats: totals, decimal revenue, success rate, and checks its range', async () => {
    const created = await hub.admin('/sources', { body: { slug: 'stats-src', preset: 'generic', overrides: { fields: { user: 'user_id', externalId: 'tx', amount: 'payout' }, defaults: { currency: 'USD' }, reward: { kind: 'fixed', coins: 7 } } } });
    expect(created.status).toBe(201);
    for (const [tx, payout] of [['1', '2.10'], ['2', '0.05'], ['1', '2.10']] as const) {
      await fetch(`${hub.url}/postbacks/stats-src?user_id=u-stats&tx=${tx}&payout=${payout}`);
    }
    await fetch(`${hub.url}/postbacks/stats-src?tx=9`); // no user: rejected
    const stats = await hub.admin(`/stats?from=${new Date(Date.now() - 3_600_000).toISOString()}&bucket=300`);
    expect(stats.status).toBe(200);
    expect(stats.body.buckets.length).toBeGreaterThanOrEqual(12);
    expect(stats.body.totals).toMatchObject({ accepted: 2, duplicate: 1, rejected: 1, coinsCredited: 14, revenue: { USD: '2.15' }, successRate: null });
    expect(stats.body).toMatchObject({ backlog: { pending: 0, due: 0, scheduled: 0, parked: 0, failed: 0 }, oldestDueAgeSeconds: null, pausedDestinations: 0 });
    // A date alone is the start of that day, UTC.
    expect((await hub.admin(`/stats?from=${new Date().toISOString().slice(0, 10)}&bucket=3600`)).body.from).toBe(`${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`);

    expect((await hub.admin('/stats?from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z')).body).toMatchObject({ error: 'invalid_request', field: 'from' });
    expect((await hub.admin('/stats?from=2020-01-01T00:00:00Z&bucket=1')).body).toMatchObject({ field: 'bucket' });
    expect((await fetch(`${hub.url}/admin/api/stats`)).status).toBe(401);
    const openapi = (await (await fetch(`${hub.url}/docs/json`)).json()) as any;
    expect(openapi.paths['/admin/api/stats']).toBeDefined();
    expect(openapi.paths['/admin/api/sources/{slug}/test']).toBeDefined();
  });

  it('POST /sources/:slug/test: signs as the partner would and returns the recorded event', async () => {
    // Like the partner postback API: Bearer or header; and an md5 template signature in the query (Tapjoy).
    await hub.admin('/sources', { body: { slug: 'tapjoy-test', preset: 'tapjoy' } });
    const signed = await hub.admin('/sources/tapjoy-test/test', { body: {} });
    expect(signed.status).toBe(200);
    expect(signed.body.request.method).toBe('GET');
    expect(signed.body.answer).toMatchObject({ status: 200, body: 'OK' });
    // Recorded as a test: what a real one would credit is said, and credited to nobody.
    expect(signed.body.event).toMatchObject({ source: 'tapjoy-test', outcome: 'accepted', userId: 'test-user', coins: 0, test: true });
    expect(signed.body.wouldCredit).toBe('10');

    const unsigned = await hub.admin('/sources/tapjoy-test/test', { body: { authenticate: false } });
    expect(unsigned.body.answer.status).toBe(403);
    expect(unsigned.body.event).toMatchObject({ outcome: 'rejected', reason: 'unauthorized' });
    expect(unsigned.body.event.detail).toMatch(/signature missing/);

    await hub.admin('/sources', { body: { slug: 'bearer-test', preset: 'generic', overrides: { auth: [{ kind: 'bearer' }], fields: { user: 'payload.user_id', externalId: 'id' } } } });
    const posted = await hub.admin('/sources/bearer-test/test', { body: { fields: { 'payload.user_id': 'u-9', id: 'x-1' } } });
    expect(posted.body.request).toMatchObject({ method: 'POST', body: '{"payload":{"user_id":"u-9"},"id":"x-1"}' });
    expect(posted.body.request.headers.authorization).toBe('[redacted]');
    expect(posted.body.event).toMatchObject({ outcome: 'accepted', userId: 'u-9', externalId: 'x-1' });
    expect(JSON.stringify(posted.body)).not.toContain('pbh_');

    const missingUser = await hub.admin('/sources/bearer-test/test', { body: { fields: { id: 'x-2' } } });
    expect(missingUser.body.answer.status).toBe(400);
    expect(missingUser.body.event).toMatchObject({ outcome: 'rejected', reason: 'invalid_request' });

    expect((await hub.admin('/sources/nope/test', { body: {} })).status).toBe(404);
  });

  it('GET /sources/:slug/test: the sample the dashboard offers to edit, by the mapping, with fresh ids', async () => {
    await hub.admin('/sources', { body: { slug: 'sample-test', preset: 'generic', overrides: { auth: [{ kind: 'bearer' }], fields: { user: 'payload.user_id', externalId: 'id', offer: 'offer' } } } });
    const first = await hub.admin('/sources/sample-test/test');
    expect(first.status).toBe(200);
    expect(first.body.fields).toMatchObject({ 'payload.user_id': 'test-user', offer: 'test-offer', id: expect.stringMatching(/^test-/) });
    const second = await hub.admin('/sources/sample-test/test');
    expect(second.body.fields.id).not.toBe(first.body.fields.id);
    // What it offers is what a POST without fields sends.
    const sent = await hub.admin('/sources/sample-test/test', { body: { fields: first.body.fields } });
    expect(sent.body.event).toMatchObject({ outcome: 'accepted', userId: 'test-user', externalId: first.body.fields.id });
    expect((await hub.admin('/sources/nope/test')).status).toBe(404);
  });

  it('serves the dashboard at /admin, and never for /admin/api', async () => {
    expect((await fetch(`${hub.url}/admin`, { redirect: 'manual' })).headers.get('location')).toBe('/admin/');
    const unknownApi = await fetch(`${hub.url}/admin/api/nothing-here`, { headers: { authorization: 'Bearer x' } });
    expect(unknownApi.status).not.toBe(200);
    expect(unknownApi.headers.get('content-type')).toMatch(/json/);
  });
});

describe('the dashboard without a build', () => {
  it('answers a page that says how to build it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'no-dashboard-'));
    const app = Fastify();
    await app.register(dashboardRoutes({ dir }));
    const page = await app.inject({ url: '/admin/sources' });
    expect(page.statusCode).toBe(503);
    expect(page.body).toContain('npm run build');
    await app.close();
    fs.rmSync(dir, { recursive: true });
  });

  it('serves files, and the app page for client-side routes, with no way out of its folder', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashboard-'));
    fs.mkdirSync(path.join(dir, 'assets'));
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>app</title>');
    fs.writeFileSync(path.join(dir, 'assets', 'a-123.js'), 'console.log(1)');
    const app = Fastify();
    await app.register(dashboardRoutes({ dir }));
    const asset = await app.inject({ url: '/admin/assets/a-123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    const route = await app.inject({ url: '/admin/events/abc' });
    expect(route.body).toContain('<title>app</title>');
    expect(route.headers['content-security-policy']).toContain("default-src 'self'");
    const escape = await app.inject({ url: '/admin/..%2f..%2fetc%2fpasswd' });
    expect(escape.body).not.toContain('root:');
    await app.close();
    fs.rmSync(dir, { recursive: true });
  });
});
