import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS } from './helpers/stores.js';
import { postJson, startTestHub, type TestHub } from './helpers/hub.js';
import { HUB_START_MS } from './helpers/timing.js';

describe.each(STORE_KINDS)('platform events API on %s', (kind) => {
  let hub: TestHub;
  let auth: Record<string, string>;

  beforeAll(async () => {
    hub = await startTestHub(kind);
    auth = { authorization: `Bearer ${(await hub.admin('/api-secrets', { body: { name: 'platform' } })).body.secret}` };
  }, HUB_START_MS);
  afterAll(async () => {
    await hub?.close();
  });

  const event = (overrides: Record<string, unknown> = {}) => ({ type: 'first_deposit', idempotencyKey: randomUUID(), userId: `player-${randomUUID()}`, amount: '25.50', currency: 'eur', ...overrides });

  it('records an event once per idempotency key and answers its status', async () => {
    const body = event({ data: { method: 'card' }, occurredAt: '2026-11-21T10:00:00Z' });
    const first = await postJson(`${hub.url}/api/events`, body, auth);
    expect(first).toMatchObject({ status: 200, body: { outcome: 'accepted' } });
    const again = await postJson(`${hub.url}/api/events`, body, auth);
    expect(again.body).toEqual({ eventId: expect.any(String), outcome: 'duplicate', duplicateOf: first.body.eventId });

    const status = await fetch(`${hub.url}/api/events/${first.body.eventId}`, { headers: auth });
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({
      id: first.body.eventId,
      source: 'platform',
      type: 'first_deposit',
      outcome: 'accepted',
      externalId: body.idempotencyKey,
      userId: body.userId,
      amount: '25.50',
      currency: 'EUR',
      metadata: { data: { method: 'card' }, occurredAt: '2026-11-21T10:00:00Z' },
    });
    expect((await hub.admin(`/users/${body.userId}`)).status).toBe(200);
  });

  it('takes a batch of 1,000, each recorded or found a duplicate on its own', async () => {
    const earlier = event({ type: 'registration' });
    await postJson(`${hub.url}/api/events`, earlier, auth);
    const events = [earlier, ...Array.from({ length: 999 }, (_, i) => event({ type: i % 2 === 0 ? 'deposit' : 'game_activity', amount: undefined, currency: undefined }))];
    const answer = await postJson(`${hub.url}/api/events/batch`, { events }, auth);
    expect(answer.status).toBe(200);
    expect(answer.body.results).toHaveLength(1000);
    expect(answer.body.results[0].outcome).toBe('duplicate');
    expect(answer.body.results.slice(1).every((r: any) => r.outcome === 'accepted')).toBe(true);
    const last = await fetch(`${hub.url}/api/events/${answer.body.results[999].eventId}`, { headers: auth });
    expect(await last.json()).toMatchObject({ outcome: 'accepted', type: 'deposit' });
  });

  it('refuses without a secret, and names the field of a bad event', async () => {
    expect((await postJson(`${hub.url}/api/events`, event())).status).toBe(401);
    expect((await fetch(`${hub.url}/api/events/whatever`)).status).toBe(401);
    expect(await postJson(`${hub.url}/api/events`, event({ type: 'Bad Type' }), auth)).toMatchObject({ status: 400, body: { field: 'type' } });
    expect(await postJson(`${hub.url}/api/events`, event({ amount: 25.5 }), auth)).toMatchObject({ status: 400, body: { field: 'amount' } });
    const { userId: _user, ...noUser } = event();
    expect(await postJson(`${hub.url}/api/events`, noUser, auth)).toMatchObject({ status: 400, body: { field: 'userId' } });
    const tooMany = { events: Array.from({ length: 1001 }, () => event()) };
    expect(await postJson(`${hub.url}/api/events/batch`, tooMany, auth)).toMatchObject({ status: 400, body: { field: 'events' } });
    expect((await fetch(`${hub.url}/api/events/${randomUUID()}`, { headers: auth })).status).toBe(404);
    // A partner's postback is not a platform event: an API secret does not read it.
    const partner = await postJson(`${hub.url}/api/postback`, { pid: 'nope', uid: randomUUID(), gid: 'g', level_number: 1 }, auth);
    expect(partner.status).toBe(400);
    const [rejected] = (await hub.admin('/events?source=reward-levels&limit=1')).body.items;
    expect((await fetch(`${hub.url}/api/events/${rejected.id}`, { headers: auth })).status).toBe(404);
  });
});
