import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS } from './helpers/stores.js';
import { postJson, startTestHub, type TestHub } from './helpers/hub.js';
import { HUB_START_MS } from './helpers/timing.js';

describe.each(STORE_KINDS)('destinations and the outbox on %s', (kind) => {
  let hub: TestHub;
  let auth: Record<string, string>;
  beforeAll(async () => {
    // Queueing only: no worker sends these (and no test ever targets anything but loopback).
    hub = await startTestHub(kind, { worker: false });
    auth = { authorization: `Bearer ${(await hub.admin('/api-secrets', { body: {} })).body.secret}` };
  }, HUB_START_MS);
  afterAll(async () => {
    await hub?.close();
  });

  const platformEvent = (type: string) => postJson(`${hub.url}/api/events`, { type, idempotencyKey: randomUUID(), userId: `p-${randomUUID()}` }, auth);
  const status = async (id: string) => (await fetch(`${hub.url}/api/events/${id}`, { headers: auth })).json() as Promise<any>;

  it("queues GG3's registration webhook for the events it wants, in the event's transaction", async () => {
    const created = await hub.admin('/destinations', {
      body: {
        name: 'GG3 partner',
        config: { url: 'http://127.0.0.1:9/2d80209a?userId={userId}&clickId={clickId}&event=registration', match: { eventTypes: ['registration'] }, retry: { kind: 'linear', intervalMs: 60_000, resends: 5 } },
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'GG3 partner', enabled: true, paused: null, hasSigningSecret: false, config: { method: 'GET', timeoutMs: 10_000, followRedirects: false } });

    const registration = await platformEvent('registration');
    const deposit = await platformEvent('deposit');
    expect((await status(registration.body.eventId)).deliveries).toEqual([
      expect.objectContaining({ destinationId: created.body.id, state: 'pending', attempts: 0, lastStatus: null }),
    ]);
    expect((await status(deposit.body.eventId)).deliveries).toEqual([]);

    expect(await hub.admin(`/destinations/${created.body.id}`, { method: 'DELETE' })).toMatchObject({ status: 409, body: { error: 'destination_has_deliveries' } });
    expect((await hub.admin(`/destinations/${created.body.id}`, { method: 'PATCH', body: { enabled: false } })).body.enabled).toBe(false);
    expect((await status((await platformEvent('registration')).body.eventId)).deliveries).toEqual([]);
  });

  it('shows a signing secret once and rotates it', async () => {
    const created = await hub.admin('/destinations', { body: { name: 'signed', config: { url: 'http://127.0.0.1:9/hook', method: 'POST', body: '{"event":"{event}"}', signing: { kind: 'standard-webhooks' } } } });
    expect(created.body.signingSecret).toMatch(/^whsec_/);
    const read = await hub.admin(`/destinations/${created.body.id}`);
    expect(read.body).toMatchObject({ hasSigningSecret: true });
    expect(read.body.signingSecret).toBeUndefined();
    const rotated = await hub.admin(`/destinations/${created.body.id}`, { method: 'PATCH', body: { rotateSigningSecret: true } });
    expect(rotated.body.signingSecret).toMatch(/^whsec_/);
    expect(rotated.body.signingSecret).not.toBe(created.body.signingSecret);
  });

  it('checks templates when saved, naming the field', async () => {
    const bad = await hub.admin('/destinations', { body: { name: 'x', config: { url: 'http://127.0.0.1:9/?u={user_id}&z={bogus}', unknownMacros: 'error' } } });
    expect(bad).toMatchObject({ status: 400, body: { field: 'config.url', message: 'config.url uses unknown macros: {bogus}' } });
    const payloadKey = await hub.admin('/destinations', { body: { name: 'x', config: { url: 'http://127.0.0.1:9/?s={payload.session_id}', unknownMacros: 'error' } } });
    expect(payloadKey.status).toBe(201);
    expect((await hub.admin('/destinations', { body: { name: 'x', config: { url: 'ftp://p.example/' } } })).body.field).toBe('config.url');
    expect((await hub.admin('/destinations', { body: { name: 'x', config: { url: 'http://127.0.0.1:9/', timeoutMs: 5 } } })).body.field).toBe('config.timeoutMs');
    // 0: never paused for failures; a negative count is refused.
    expect((await hub.admin('/destinations', { body: { name: 'x', config: { url: 'http://127.0.0.1:9/', pauseAfterFailures: 0 } } })).body.config.pauseAfterFailures).toBe(0);
    expect((await hub.admin('/destinations', { body: { name: 'x', config: { url: 'http://127.0.0.1:9/', pauseAfterFailures: -1 } } })).body.field).toBe('config.pauseAfterFailures');
  });
});
