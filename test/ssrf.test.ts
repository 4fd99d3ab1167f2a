// A partner may redirect the hub anywhere: every hop is checked before its connection is made.
// A real redirecting partner on 127.0.0.2 (the only allowed address) and real internal servers
// on 127.0.0.1 and ::1 that must never see a connection.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS } from './helpers/stores.js';
import { postJson, startTestHub, type TestHub } from './helpers/hub.js';
import { startReceiver } from './helpers/receiver.js';

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

const SECRET = 'INTERNAL-SECRET-ANSWER';
const TIMEOUT_MS = 20_000;

/** Where the partner redirects, and how the refusal must name that hop. */
const HOPS: { name: string; location: (v4: number, v6: number) => string; refused: (v4: number, v6: number) => string }[] = [
  { name: '127.0.0.1', location: (v4) => `http://127.0.0.1:${v4}/`, refused: (v4) => `redirect to http://127.0.0.1:${v4} — 127.0.0.1 is a loopback address` },
  { name: '[::1]', location: (_, v6) => `http://[::1]:${v6}/`, refused: (_, v6) => `redirect to http://[::1]:${v6} — ::1 is a loopback address` },
  { name: '2130706433', location: (v4) => `http://2130706433:${v4}/admin`, refused: (v4) => `redirect to http://127.0.0.1:${v4} — 127.0.0.1 is a loopback address` },
  {
    name: '[::ffff:127.0.0.1]',
    location: (v4) => `http://[::ffff:127.0.0.1]:${v4}/`,
    refused: (v4) => `redirect to http://[::ffff:7f00:1]:${v4} — ::ffff:7f00:1 is a loopback address (IPv4-mapped 127.0.0.1)`,
  },
  { name: '169.254.169.254', location: () => 'http://169.254.169.254/latest/meta-data/', refused: () => 'redirect to http://169.254.169.254 — 169.254.169.254 is a link-local address' },
];

describe.each(STORE_KINDS)('redirects to internal addresses on %s', (kind) => {
  let hub: TestHub;
  let partner: Receiver;
  let landing: Receiver;
  let internal4: Receiver;
  let internal6: Receiver | null;
  let auth: Record<string, string>;

  beforeAll(async () => {
    hub = await startTestHub(kind, { worker: false, outboundAllow: '127.0.0.2/32' });
    partner = await startReceiver({ host: '127.0.0.2' });
    landing = await startReceiver({ host: '127.0.0.2' });
    landing.setDefault({ status: 200, body: 'LANDED' });
    internal4 = await startReceiver();
    // Where the machine has no IPv6 loopback, the [::1] hop is still refused, on 127.0.0.1's port.
    internal6 = await startReceiver({ host: '::1' }).catch(() => null);
    for (const internal of [internal4, internal6]) internal?.setDefault({ status: 200, body: SECRET });
    auth = { authorization: `Bearer ${(await hub.admin('/api-secrets', { body: {} })).body.secret}` };
  });
  afterAll(async () => {
    await hub?.close();
    for (const receiver of [partner, landing, internal4, internal6]) await receiver?.close();
  });

  async function redirectingDestination(type: string) {
    const created = await hub.admin('/destinations', {
      body: { name: type, config: { url: `${partner.url}/postback?u={user_id}`, match: { eventTypes: [type] }, followRedirects: true, timeoutMs: TIMEOUT_MS } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body.id as string;
  }

  /** One real delivery of a new event of `type`, and its attempt history. */
  async function deliver(type: string) {
    const answer = await postJson(`${hub.url}/api/events`, { type, idempotencyKey: randomUUID(), userId: `u-${randomUUID()}` }, auth);
    expect(answer.status).toBe(200);
    await hub.hub.services.worker.runOnce();
    const status: any = await (await fetch(`${hub.url}/api/events/${answer.body.eventId}`, { headers: auth })).json();
    return (await hub.admin(`/deliveries/${status.deliveries[0].id}`)).body;
  }

  it.each(HOPS)('refuses a redirect to $name at once, naming the hop, in the test reply and the attempt history', async (hop) => {
    const v4 = internal4.port;
    const v6 = internal6?.port ?? v4;
    partner.setDefault({ status: 302, headers: { location: hop.location(v4, v6) }, body: 'see elsewhere' });
    const type = `ssrf-${randomUUID()}`;
    const id = await redirectingDestination(type);
    const reached = partner.received.length;
    const error = `refused: ${hop.refused(v4, v6)}`;

    const test = await hub.admin(`/destinations/${id}/test`, { method: 'POST' });
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({ success: false, status: null, excerpt: null, error });
    // Refused before connecting, not given up on at the timeout.
    expect(test.body.latencyMs).toBeLessThan(TIMEOUT_MS / 2);

    const delivery = await deliver(type);
    expect(delivery.history).toHaveLength(1);
    expect(delivery.history[0]).toMatchObject({ status: null, responseExcerpt: null, error });
    expect(delivery.history[0].latencyMs).toBeLessThan(TIMEOUT_MS / 2);

    // The partner was asked both times; nothing internal was reached or shown.
    expect(partner.received.length).toBe(reached + 2);
    expect(internal4.connections).toBe(0);
    expect(internal6?.connections ?? 0).toBe(0);
    expect(JSON.stringify([test.body, delivery])).not.toContain(SECRET);
  });

  it('follows a redirect to another allowed address', async () => {
    partner.setDefault({ status: 302, headers: { location: `${landing.url}/landed` } });
    const type = `allowed-${randomUUID()}`;
    const id = await redirectingDestination(type);
    const landed = landing.received.length;

    expect((await hub.admin(`/destinations/${id}/test`, { method: 'POST' })).body).toMatchObject({ success: true, status: 200, excerpt: 'LANDED', error: null });
    const delivery = await deliver(type);
    expect(delivery).toMatchObject({ state: 'succeeded', attempts: 1 });
    expect(delivery.history[0]).toMatchObject({ status: 200, responseExcerpt: 'LANDED', error: null });
    expect(landing.received.slice(landed).map((r) => r.url)).toEqual(['/landed', '/landed']);
  });
});
