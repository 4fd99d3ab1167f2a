// An operator's log tells of a partner's trouble before the partner does: a warn-level line for
// every failed delivery attempt (will it be retried, and when), and one when a destination is
// paused, with the reason. Through a real hub's pino logger, captured in memory, on both stores.
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startTestHub, type TestHub } from './helpers/hub.js';
import { startReceiver } from './helpers/receiver.js';
import { STORE_KINDS } from './helpers/stores.js';
import { HUB_START_MS } from './helpers/timing.js';

describe.each(STORE_KINDS)('warnings about deliveries on %s', (kind) => {
  let hub: TestHub;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const lines: Array<Record<string, unknown>> = [];
  let now = Date.parse('2026-12-01T10:00:00Z');

  beforeAll(async () => {
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    hub = await startTestHub(kind, { worker: false, clock: { now: () => now }, logger });
    receiver = await startReceiver();
  }, HUB_START_MS);
  afterAll(async () => {
    await hub?.close();
    await receiver?.close();
  });

  const warnings = (msg: RegExp) => lines.filter((l) => l.level === 40 && typeof l.msg === 'string' && msg.test(l.msg));

  it('warns of each failed attempt and, once, of the pause', async () => {
    const secret = (await hub.admin('/api-secrets', { body: {} })).body.secret as string;
    const created = await hub.admin('/destinations', {
      body: { name: 'flaky', bearerToken: 'partner-token-never-logged', config: { url: `${receiver.url}/flaky`, match: { eventTypes: ['signup'] }, retry: { kind: 'linear', intervalMs: 60_000, resends: 5 } } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const destinationId = created.body.id as string;
    const answer = await postJson(`${hub.url}/api/events`, { type: 'signup', idempotencyKey: randomUUID(), userId: 'u-1' }, { authorization: `Bearer ${secret}` });
    expect(answer.status).toBe(200);

    receiver.reply({ status: 500 });
    await hub.hub.services.worker.runOnce();
    expect(warnings(/attempt failed/)).toMatchObject([
      { msg: 'a delivery attempt failed; it will be retried', destinationId, attempt: 1, status: 500, retry: new Date(now + 60_000).toISOString() },
    ]);

    now += 60_000;
    receiver.reply({ status: 410 });
    await hub.hub.services.worker.runOnce();
    expect(warnings(/attempt failed/)).toHaveLength(2);
    expect(warnings(/destination was paused/)).toMatchObject([{ msg: 'a destination was paused: its deliveries wait until it is resumed', destinationId, reason: '410 Gone' }]);
    // Paused: nothing more is sent, nothing more is said.
    now += 3_600_000;
    await hub.hub.services.worker.runOnce();
    expect(warnings(/destination was paused/)).toHaveLength(1);
    expect(JSON.stringify(lines)).not.toContain('partner-token-never-logged');
  });
});
