// A lease must outlast the send: a delivery held after its claim (here, its destination read)
// until its lease could run out during the request is left, and sent once its lease has
// expired. Real workers, stores and a receiver on 127.0.0.1; the clock is held by the test.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveriesDal } from '../src/features/delivery/deliveries-dal.js';
import { MIN_LEASE_MS, RECORD_MARGIN_MS } from '../src/features/delivery/lease.js';
import { DeliveryWorker } from '../src/features/delivery/worker.js';
import { destinationsDal } from '../src/features/destinations/destinations-dal.js';
import { MAX_DESTINATION_TIMEOUT_MS } from '../src/features/destinations/definition.js';
import { postJson, startTestHub, type TestHub } from './helpers/hub.js';
import { startReceiver } from './helpers/receiver.js';
import { STORE_KINDS } from './helpers/stores.js';
import { HUB_START_MS } from './helpers/timing.js';

describe.each(STORE_KINDS)('the delivery lease on %s', (kind) => {
  let hub: TestHub;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let auth: Record<string, string>;
  let now = Date.now();
  const clock = { now: () => now };
  // The shortest lease allowed, and destinations with the longest timeout: the least room there is.
  const leaseMs = MIN_LEASE_MS;
  const timeoutMs = MAX_DESTINATION_TIMEOUT_MS;
  /** How long a delivery may wait between its claim and its send, and still be sent. */
  const room = leaseMs - timeoutMs - RECORD_MARGIN_MS;

  beforeAll(async () => {
    hub = await startTestHub(kind, { worker: false, clock, env: { DELIVERY_LEASE_MS: String(leaseMs) } });
    receiver = await startReceiver();
    auth = { authorization: `Bearer ${(await hub.admin('/api-secrets', { body: {} })).body.secret}` };
  }, HUB_START_MS);
  afterAll(async () => {
    await hub?.close();
    await receiver?.close();
  });

  /** A destination of its own (its own event type and path), and one event for it. */
  async function deliveryTo(name: string) {
    const created = await hub.admin('/destinations', { body: { name, config: { match: { eventTypes: [name] }, url: `${receiver.url}/${name}`, timeoutMs } } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const answer = await postJson(`${hub.url}/api/events`, { type: name, idempotencyKey: randomUUID(), userId: `u-${randomUUID()}` }, auth);
    expect(answer.status).toBe(200);
    const eventId = answer.body.eventId as string;
    return {
      sent: () => receiver.received.filter((r) => r.url === `/${name}`).length,
      state: async () => (await deliveriesDal(hub.hub.db).listDeliveriesOfEvent(eventId))[0],
    };
  }

  /** A worker like the hub's whose first destination read is held until the test lets it go. */
  function workerWithHeldRead() {
    let reading!: () => void;
    const readStarted = new Promise<void>((resolve) => (reading = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const destinations = destinationsDal(hub.hub.db);
    const worker = new DeliveryWorker({
      store: {
        ...deliveriesDal(hub.hub.db),
        getDestination: async (id: string) => {
          reading();
          await released;
          return destinations.getDestination(id);
        },
      },
      destinations: hub.hub.services.destinations,
      sender: hub.hub.services.sender,
      clock,
      leaseMs,
    });
    return { worker, readStarted, release };
  }

  it('sends a delivery at once under the shortest lease, to a destination with the longest timeout', async () => {
    const delivery = await deliveryTo('lease-normal');
    expect(await hub.hub.services.worker.runOnce()).toBe(1);
    expect(delivery.sent()).toBe(1);
    expect(await delivery.state()).toMatchObject({ state: 'succeeded', attempts: 1, lastStatus: 200 });
  });

  it('sends a delivery held after its claim for as long as its lease leaves room for the request', async () => {
    const delivery = await deliveryTo('lease-room');
    const { worker, readStarted, release } = workerWithHeldRead();
    const pass = worker.runOnce();
    await readStarted;
    now += room;
    release();
    await pass;
    expect(delivery.sent()).toBe(1);
    expect(await delivery.state()).toMatchObject({ state: 'succeeded', attempts: 1 });
  });

  it('leaves a delivery whose lease could run out during the request, and sends it once after the lease has expired', async () => {
    const delivery = await deliveryTo('lease-held');
    const { worker, readStarted, release } = workerWithHeldRead();
    const claimedAt = now;
    const pass = worker.runOnce();
    await readStarted;
    now += room + 1;
    release();
    await pass;
    expect(delivery.sent()).toBe(0);
    expect(await delivery.state()).toMatchObject({ state: 'delivering', attempts: 0 });

    // Still leased: no worker claims it.
    now = claimedAt + leaseMs - 1;
    expect(await worker.runOnce()).toBe(0);
    expect(await hub.hub.services.worker.runOnce()).toBe(0);
    expect(delivery.sent()).toBe(0);

    // Expired (a worker looks for expired leases about once a second): claimed again and sent, once.
    now = claimedAt + leaseMs + 1_000;
    expect(await worker.runOnce()).toBe(1);
    expect(await worker.runOnce()).toBe(0);
    expect(await hub.hub.services.worker.runOnce()).toBe(0);
    expect(delivery.sent()).toBe(1);
    expect(await delivery.state()).toMatchObject({ state: 'succeeded', attempts: 1, lastStatus: 200 });
  });
});
