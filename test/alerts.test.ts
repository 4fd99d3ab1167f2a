// Alerts reach the operators before the partners complain: each rule fires once when its
// condition starts, stays quiet until the repeat interval has passed, repeats, and sends one
// recovery notice — to a real webhook receiver (the Standard Webhooks signature verified) and a
// real SMTP server on loopback. Through a real hub on both stores, its clock held and its
// monitor driven by hand (`check()`), never waited for.
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CheckReport } from '../src/features/alerts/monitor.js';
import { DEFAULT_RULES } from '../src/features/alerts/rules.js';
import { DEFAULT_FRAUD_POLICY } from '../src/features/conversions/fraud.js';
import { CuttableProxy } from './helpers/cuttable-proxy.js';
import { postJson, startTestHub, type TestHub } from './helpers/hub.js';
import { startReceiver, type Received } from './helpers/receiver.js';
import { startSmtpSink, type ReceivedMail } from './helpers/smtp-sink.js';
import { createTestDatabase, STORE_KINDS, TEST_DATABASE_URL } from './helpers/stores.js';
import { HUB_START_MS } from './helpers/timing.js';

const MIN = 60_000;
/** Every rule off: each test turns on the one it is about, so the others' conditions stay out of it. */
const ALL_OFF = Object.fromEntries(Object.entries(DEFAULT_RULES).map(([rule, value]) => [rule, typeof value === 'object' ? { enabled: false } : value]));

type Sink = Awaited<ReturnType<typeof startSmtpSink>>;
type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** The notice a webhook request carries, its Standard Webhooks signature checked with the `standardwebhooks` package. */
function verifiedNotice(request: Received, secret: string): { text: string; alert: { id: string; state: string; rule: string; subject: string; message: string } } {
  const { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature } = request.headers as Record<string, string>;
  // The library checks the timestamp against the real clock; the hub's is held by the test.
  const expected = new Webhook(secret).sign(id!, new Date(Number(timestamp) * 1000), request.body);
  expect(signature!.split(' ')).toContain(expected);
  return JSON.parse(request.body);
}

describe.each(STORE_KINDS)('alerts on %s', (kind) => {
  let hub: TestHub;
  let hook: Receiver;
  let partner: Receiver;
  let smtp: Sink;
  let hookSecret: string;
  let apiSecret: string;
  let now = Date.parse('2026-12-01T10:00:00Z');
  const warnings: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    smtp = await startSmtpSink({ auth: { user: 'hub', pass: 'smtp-password-never-logged' } });
    hook = await startReceiver();
    partner = await startReceiver();
    const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line) as Record<string, unknown>) });
    hub = await startTestHub(kind, {
      worker: false,
      clock: { now: () => now },
      logger,
      env: { SMTP_URL: `smtp://hub:smtp-password-never-logged@127.0.0.1:${smtp.port}`, ALERT_EMAIL_FROM: 'Postback Hub <alerts@hub.test>' },
    });
    const webhook = await hub.admin('/alerts/channels', { body: { kind: 'webhook', name: 'ops chat', url: `${hook.url}/slack` } });
    expect(webhook.status, JSON.stringify(webhook.body)).toBe(201);
    hookSecret = webhook.body.secret;
    const email = await hub.admin('/alerts/channels', { body: { kind: 'email', name: 'on call', to: ['oncall@hub.test', 'lead@hub.test'] } });
    expect(email.status, JSON.stringify(email.body)).toBe(201);
    apiSecret = (await hub.admin('/api-secrets', { body: {} })).body.secret;
    await hub.admin('/apps', { body: { pid: 'cashgiraffe' } });
    await hub.admin('/offers', { body: { id: 'my_game' } });
  }, HUB_START_MS);
  afterAll(async () => {
    await hub?.close();
    await hook?.close();
    await partner?.close();
    await smtp?.close();
  });
  beforeEach(() => {
    now += 24 * 60 * MIN;
  });

  const check = () => hub.hub.services.alertMonitor.check();
  const sent = (report: CheckReport) => report.notices.map((n) => [n.rule, n.subject, n.state]);

  async function only(rule: string, settings: Record<string, unknown> = {}) {
    const put = await hub.admin('/alerts/rules', { method: 'PUT', body: { ...ALL_OFF, [rule]: { enabled: true, ...settings } } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
  }

  /** What reached the channels since `mark`: each webhook notice verified, each email. */
  function since(mark: { hooks: number; mails: number }) {
    return {
      hooks: hook.received.slice(mark.hooks).map((r) => verifiedNotice(r, hookSecret)),
      mails: smtp.received.slice(mark.mails),
    };
  }
  const mark = () => ({ hooks: hook.received.length, mails: smtp.received.length });

  /**
   * The whole life of one alert: it fires once (both channels), says nothing more within the
   * repeat interval, repeats after it, and once `end` has removed its cause sends one recovery
   * notice, then nothing.
   */
  async function lifeOf(rule: string, subject: string, end: () => Promise<unknown>, expectText: RegExp) {
    let at = mark();
    expect(sent(await check())).toEqual([[rule, subject, 'firing']]);
    const fired = since(at);
    expect(fired.hooks.map((n) => [n.alert.rule, n.alert.subject, n.alert.state])).toEqual([[rule, subject, 'firing']]);
    expect(fired.hooks[0]!.text).toMatch(/^\[FIRING\] /);
    expect(fired.hooks[0]!.text).toMatch(expectText);
    expect(fired.mails.map((m: ReceivedMail) => [m.to, m.from, m.user])).toEqual([[['oncall@hub.test', 'lead@hub.test'], '"Postback Hub" <alerts@hub.test>', 'hub']]);
    expect(fired.mails[0]!.subject).toMatch(/^\[Postback Hub\] \[FIRING\] /);
    expect(fired.mails[0]!.text).toMatch(expectText);
    expect((await hub.admin('/alerts')).body.items).toMatchObject([{ rule, subject }]);

    now += 59 * MIN;
    at = mark();
    expect(sent(await check())).toEqual([]);
    expect(since(at)).toEqual({ hooks: [], mails: [] });

    now += 1 * MIN;
    at = mark();
    expect(sent(await check())).toEqual([[rule, subject, 'repeat']]);
    const repeated = since(at);
    expect(repeated.hooks.map((n) => n.text)).toEqual([expect.stringMatching(/^\[STILL FIRING\] .* \(for 1 h, since /)]);
    expect(repeated.mails.map((m) => m.subject)).toEqual([expect.stringMatching(/^\[Postback Hub\] \[STILL FIRING\] /)]);

    await end();
    at = mark();
    expect(sent(await check())).toEqual([[rule, subject, 'resolved']]);
    const resolved = since(at);
    expect(resolved.hooks.map((n) => [n.alert.state, n.text])).toEqual([['resolved', expect.stringMatching(/^\[RESOLVED\] .* after \d+ h/)]]);
    expect(resolved.mails.map((m) => m.subject)).toEqual([expect.stringMatching(/^\[Postback Hub\] \[RESOLVED\] /)]);
    expect((await hub.admin('/alerts')).body.items).toEqual([]);

    at = mark();
    expect(sent(await check())).toEqual([]);
    expect(since(at)).toEqual({ hooks: [], mails: [] });
    const history = (await hub.admin(`/alerts/history?rule=${rule}`)).body.items;
    expect(history.slice(0, 3).map((n: { state: string; subject: string; pending: string[] }) => [n.state, n.subject, n.pending])).toEqual([
      ['resolved', subject, []],
      ['repeat', subject, []],
      ['firing', subject, []],
    ]);
  }

  async function destination(name: string, config: Record<string, unknown> = {}) {
    const created = await hub.admin('/destinations', { body: { name, config: { url: `${partner.url}/${name}`, match: { eventTypes: [name] }, ...config } } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body.id as string;
  }
  const emit = async (type: string, extra: Record<string, unknown> = {}) => {
    const answer = await postJson(`${hub.url}/api/events`, { type, idempotencyKey: randomUUID(), userId: `u-${randomUUID().slice(0, 8)}`, ...extra }, { authorization: `Bearer ${apiSecret}` });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body.eventId as string;
  };
  const runWorker = () => hub.hub.services.worker.runOnce();

  it('destination_failing: fires at N consecutive failures, recovers on a success', async () => {
    await only('destination_failing', { failures: 3 });
    const id = await destination('failing', { retry: { kind: 'linear', intervalMs: 60_000, resends: 100 }, pauseAfterFailures: 0 });
    for (let i = 0; i < 3; i++) await emit('failing');
    partner.setDefault({ status: 500 });
    await runWorker();
    expect((await hub.admin(`/destinations/${id}`)).body.consecutiveFailures).toBe(3);
    await lifeOf('destination_failing', id, async () => {
      partner.setDefault({ status: 200, body: 'OK' });
      await runWorker();
      expect((await hub.admin(`/destinations/${id}`)).body.consecutiveFailures).toBe(0);
    }, /Destination "failing" failing: 3 consecutive failed attempts \(alert at 3\)/);
  });

  it('destination_paused: fires with the pause, recovers on the resume', async () => {
    await only('destination_paused');
    const id = await destination('paused');
    expect((await hub.admin(`/destinations/${id}/pause`, { method: 'POST' })).status).toBe(200);
    await lifeOf('destination_paused', id, async () => {
      expect((await hub.admin(`/destinations/${id}/resume`, { method: 'POST' })).status).toBe(200);
    }, /Destination "paused" paused: paused since .* \(paused by an operator\); its deliveries wait until it is resumed/);
  });

  it('delivery_backlog: fires when the oldest due delivery has waited X, recovers when it is sent', async () => {
    await only('delivery_backlog', { minutes: 10 });
    await destination('backlog');
    partner.setDefault({ status: 200, body: 'OK' });
    await emit('backlog');
    now += 9 * MIN;
    expect(sent(await check())).toEqual([]);
    now += 1 * MIN;
    await lifeOf('delivery_backlog', 'deliveries', runWorker, /the oldest due delivery has waited 10 min \(alert at 10 min\)/);
  });

  it('source_rejections: fires above Y % in Z minutes with enough requests, says which reason, recovers when the window has passed', async () => {
    await only('source_rejections', { percent: 20, windowMinutes: 120, minRequests: 5 });
    const user = randomUUID();
    await hub.admin('/users', { body: { id: user } });
    const level = (uid: string, authorization: string) => postJson(`${hub.url}/api/postback`, { pid: 'cashgiraffe', uid, gid: 'my_game', level_number: 5 }, { authorization });
    expect((await level(user, `Bearer ${apiSecret}`)).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await level(user, 'Bearer pbh_wrong_secret_0123456789')).status).toBe(401);
    // Under the minimum of requests: nothing yet.
    expect(sent(await check())).toEqual([]);
    expect((await level(randomUUID(), `Bearer ${apiSecret}`)).status).toBe(404);
    await lifeOf('source_rejections', 'reward-levels', () => {
      now += 61 * MIN;
      return Promise.resolve();
    }, /4 of 5 requests rejected in the last 120 min \(80 %, alert above 20 %\); mostly authentication failed \(bad signature or secret\): 3 of 4/);
  });

  it('held_events: fires when held events wait more than N minutes (count and oldest), recovers once reviewed', async () => {
    await only('held_events', { minutes: 30 });
    expect((await hub.admin('/fraud-policy', { method: 'PUT', body: { ...DEFAULT_FRAUD_POLICY, perUserPerOffer: { action: 'hold', max: 1 } } })).status).toBe(200);
    await emit('signup', { userId: 'held-user', offerId: 'my_game' });
    const held = await emit('purchase', { userId: 'held-user', offerId: 'my_game' });
    expect((await hub.admin(`/events/${held}`)).body.review).toBe('held');
    now += 29 * MIN;
    expect(sent(await check())).toEqual([]);
    now += 1 * MIN;
    await lifeOf('held_events', 'review', async () => {
      expect((await hub.admin(`/events/${held}/approve`, { method: 'POST' })).status).toBe(200);
    }, /1 held event waiting longer than 30 min; the oldest for 30 min/);
    expect((await hub.admin('/fraud-policy', { method: 'PUT', body: DEFAULT_FRAUD_POLICY })).status).toBe(200);
  });

  it('retries a notice a channel refused at the next check, and logs the failure (never the SMTP password)', async () => {
    await only('destination_paused');
    const id = await destination('refused');
    await hub.admin(`/destinations/${id}/pause`, { method: 'POST' });
    hook.reply({ status: 503, body: 'busy' });
    let at = mark();
    const first = await check();
    expect(sent(first)).toEqual([['destination_paused', id, 'firing']]);
    expect(Object.values(first.notices[0]!.outcomes).map((o) => [o.ok, o.detail])).toEqual(
      expect.arrayContaining([
        [false, 'HTTP 503: busy'],
        [true, expect.stringMatching(/^accepted for 2 recipient/)],
      ]),
    );
    expect(warnings.filter((w) => w.msg === 'an alert notice could not be sent; it is retried at the next check')).toMatchObject([{ channel: 'ops chat', error: 'HTTP 503: busy', rule: 'destination_paused' }]);
    const [pending] = (await hub.admin('/alerts/history?rule=destination_paused&state=firing&limit=1')).body.items;
    expect(pending.pending).toHaveLength(1);
    expect(since(at).mails).toHaveLength(1);

    now += 30_000;
    at = mark();
    const second = await check();
    // The webhook only: the email has it already.
    expect(sent(second)).toEqual([['destination_paused', id, 'firing']]);
    expect(since(at).hooks.map((n) => [n.alert.id, n.alert.state])).toEqual([[pending.id, 'firing']]);
    expect(since(at).mails).toEqual([]);
    const [done] = (await hub.admin('/alerts/history?rule=destination_paused&state=firing&limit=1')).body.items;
    expect(done.pending).toEqual([]);
    expect(Object.values(done.outcomes).every((o) => (o as { ok: boolean }).ok)).toBe(true);
    expect(JSON.stringify(warnings)).not.toContain('smtp-password-never-logged');
    await hub.admin(`/destinations/${id}/resume`, { method: 'POST' });
    expect(sent(await check())).toEqual([['destination_paused', id, 'resolved']]);
  });

  // SQLite: another connection holds the write lock past the writer's busy timeout (PostgreSQL: below, its connection cut).
  it.runIf(kind === 'sqlite')('store_unavailable: notices while the store refuses writes, its history appended once it is back', async () => {
    await only('store_unavailable');
    expect(sent(await check())).toEqual([]);
    const other = new Database(hub.db.config.kind === 'sqlite' ? hub.db.config.file : '');
    other.exec('BEGIN IMMEDIATE');
    let at = mark();
    try {
      const down = await check();
      expect(down.storeAvailable).toBe(false);
      expect(sent(down)).toEqual([['store_unavailable', 'store', 'firing']]);
      expect(since(at).hooks.map((n) => [n.alert.state, n.text])).toEqual([['firing', expect.stringMatching(/^\[FIRING\] Store refusing writes: writes fail: /)]]);
      expect(since(at).mails.map((m) => m.subject)).toEqual(['[Postback Hub] [FIRING] Store refusing writes']);
      expect((await hub.admin('/alerts')).body.items).toMatchObject([{ rule: 'store_unavailable', subject: 'store' }]);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    at = mark();
    expect(sent(await check())).toEqual([['store_unavailable', 'store', 'resolved']]);
    expect(since(at).hooks.map((n) => n.alert.state)).toEqual(['resolved']);
    const history = (await hub.admin('/alerts/history?rule=store_unavailable')).body.items;
    expect(history.map((n: { state: string }) => n.state)).toEqual(['resolved', 'firing']);
  }, 30_000);

  it('answers the rules, refuses a bad threshold naming the field, and tests a channel', async () => {
    const put = await hub.admin('/alerts/rules', { method: 'PUT', body: { repeatMinutes: 15, delivery_backlog: { minutes: 5 } } });
    expect(put.body).toMatchObject({ repeatMinutes: 15, delivery_backlog: { minutes: 5 } });
    expect((await hub.admin('/alerts/rules')).body).toEqual(put.body);
    const bad = await hub.admin('/alerts/rules', { method: 'PUT', body: { source_rejections: { percent: 0 } } });
    expect([bad.status, bad.body.field]).toEqual([400, 'source_rejections.percent']);
    const unknown = await hub.admin('/alerts/rules', { method: 'PUT', body: { destination_failing: { threshold: 3 } } });
    expect([unknown.status, unknown.body.field]).toEqual([400, 'destination_failing.threshold']);
    const badMail = await hub.admin('/alerts/channels', { body: { kind: 'email', name: 'x', to: ['not an address'] } });
    expect([badMail.status, badMail.body.field]).toEqual([400, 'to.0']);
    const badUrl = await hub.admin('/alerts/channels', { body: { kind: 'webhook', name: 'x', url: 'ftp://example.com' } });
    expect([badUrl.status, badUrl.body.field]).toEqual([400, 'url']);

    const channels = (await hub.admin('/alerts/channels')).body.items;
    expect(channels.map((c: Record<string, unknown>) => [c.name, c.kind, c.hasSecret, 'secret' in c])).toEqual([
      ['ops chat', 'webhook', true, false],
      ['on call', 'email', false, false],
    ]);
    let at = mark();
    const tested = await hub.admin(`/alerts/channels/${channels[0].id}/test`, { method: 'POST' });
    expect(tested.body).toEqual({ ok: true, detail: 'HTTP 200' });
    expect(since(at).hooks.map((n) => n.text)).toEqual(['[TEST] Test notice to "ops chat": alerts from this Postback Hub reach this channel']);
    at = mark();
    expect((await hub.admin(`/alerts/channels/${channels[1].id}/test`, { method: 'POST' })).body).toMatchObject({ ok: true });
    expect(since(at).mails.map((m) => m.subject)).toEqual(['[Postback Hub] [TEST] Test notice to "on call"']);
    const created = await hub.admin('/alerts/channels', { body: { kind: 'webhook', name: 'nowhere', url: 'http://127.0.0.1:9/hook' } });
    const failed = await hub.admin(`/alerts/channels/${created.body.id}/test`, { method: 'POST' });
    expect(failed.body).toMatchObject({ ok: false, detail: expect.stringMatching(/ECONNREFUSED/) });
    expect((await hub.admin(`/alerts/channels/${created.body.id}`, { method: 'PATCH', body: { to: ['a@b.c'] } })).body.field).toBe('to');
    expect((await hub.admin(`/alerts/channels/${created.body.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await hub.admin(`/alerts/channels/${created.body.id}`)).status).toBe(404);
    await hub.admin('/alerts/rules', { method: 'PUT', body: DEFAULT_RULES });
  });
});

describe.runIf(STORE_KINDS.includes('postgres'))('alerts on PostgreSQL with several processes', () => {
  it('two monitors on one database send each notice once', async () => {
    let now = Date.parse('2026-12-01T10:00:00Z');
    const hook = await startReceiver();
    const a = await startTestHub('postgres', { worker: false, clock: { now: () => now } });
    const b = await startTestHub('postgres', { worker: false, clock: { now: () => now }, db: a.db });
    try {
      await a.admin('/alerts/rules', { method: 'PUT', body: { ...ALL_OFF, destination_paused: { enabled: true } } });
      expect((await a.admin('/alerts/channels', { body: { kind: 'webhook', name: 'ops', url: `${hook.url}/hook` } })).status).toBe(201);
      const id = (await a.admin('/destinations', { body: { name: 'shared', config: { url: `${hook.url}/partner` } } })).body.id;
      await a.admin(`/destinations/${id}/pause`, { method: 'POST' });
      const both = () => Promise.all([a.hub.services.alertMonitor.check(), b.hub.services.alertMonitor.check()]);
      const states = (reports: CheckReport[]) => reports.flatMap((r) => r.notices.map((n) => n.state));

      for (let round = 0; round < 3; round++) {
        expect(states(await both())).toEqual(round === 0 ? ['firing'] : []);
        now += 20 * MIN;
      }
      expect(states(await both())).toEqual(['repeat']);
      await b.admin(`/destinations/${id}/resume`, { method: 'POST' });
      expect(states(await both())).toEqual(['resolved']);
      expect(states(await both())).toEqual([]);
      expect(hook.received.filter((r) => r.url === '/hook').map((r) => JSON.parse(r.body).alert.state)).toEqual(['firing', 'repeat', 'resolved']);
    } finally {
      await b.close();
      await a.close();
      await hook.close();
    }
  }, HUB_START_MS);

  it('store_unavailable: notices while PostgreSQL is unreachable, history appended once it is back', async () => {
    const now = Date.parse('2026-12-01T10:00:00Z');
    const hook = await startReceiver();
    const db = await createTestDatabase('postgres');
    const target = new URL(TEST_DATABASE_URL);
    const proxy = new CuttableProxy({ host: target.hostname, port: Number(target.port || 5432) });
    await proxy.open();
    const url = new URL(db.config.kind === 'postgres' ? db.config.url : '');
    url.host = `127.0.0.1:${proxy.port}`;
    const hub = await startTestHub('postgres', { db, database: { kind: 'postgres', url: url.toString(), poolSize: 4 }, worker: false, clock: { now: () => now } });
    try {
      expect((await hub.admin('/alerts/channels', { body: { kind: 'webhook', name: 'ops', url: `${hook.url}/hook` } })).status).toBe(201);
      expect((await hub.hub.services.alertMonitor.check()).notices).toEqual([]);
      await proxy.cut();
      const down = await hub.hub.services.alertMonitor.check();
      expect([down.storeAvailable, down.notices.map((n) => n.state)]).toEqual([false, ['firing']]);
      expect(hook.received.map((r) => JSON.parse(r.body).text)).toEqual([expect.stringMatching(/^\[FIRING\] Store refusing writes: writes fail: /)]);
      await proxy.open();
      const back = await hub.hub.services.alertMonitor.check();
      expect([back.storeAvailable, back.notices.map((n) => n.state)]).toEqual([true, ['resolved']]);
      expect((await hub.admin('/alerts/history?rule=store_unavailable')).body.items.map((n: { state: string }) => n.state)).toEqual(['resolved', 'firing']);
    } finally {
      await proxy.cut();
      await hub.close();
      await db.cleanup();
      await hook.close();
    }
  }, HUB_START_MS);
});
