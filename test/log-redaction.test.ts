// A partner's secret never reaches the log or the event's raw record, whatever name it travels
// under: the lines a real hub writes through its pino logger are captured in memory, on SQLite
// and PostgreSQL.
import { createHash, randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, STORE_KINDS, type StoreKind } from './helpers/stores.js';
import { startTestHub, type TestHub } from './helpers/hub.js';

/** A logger writing into memory: every line the hub logs, as written. */
function capturedLog() {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
  return { logger, lines, text: () => lines.join('') };
}
type CapturedLog = ReturnType<typeof capturedLog>;

/** A unique parameter name that no global pattern covers. */
const newName = () => `p${randomUUID().replace(/-/g, '').slice(0, 10)}`;

/** Sends a request and waits for its access-log line (written once the response has gone). */
async function send(hub: TestHub, log: CapturedLog, path: string) {
  const response = await fetch(`${hub.url}${path}`);
  const body = await response.text();
  const reqId = response.headers.get('x-request-id')!;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const line = log.lines.find((l) => l.includes(`"reqId":"${reqId}"`) && l.includes('"msg":"request"'));
    if (line !== undefined) return { status: response.status, body, line };
    if (Date.now() > deadline) throw new Error(`no access-log line for ${path}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function createSource(hub: TestHub, auth: unknown[], secret: string) {
  const slug = `s-${randomUUID().slice(0, 8)}`;
  const created = await hub.admin('/sources', { body: { slug, preset: 'generic', overrides: { auth }, secret } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return slug;
}

describe.each(STORE_KINDS)('no partner secret in the logs on %s', (kind: StoreKind) => {
  let hub: TestHub;
  let log: CapturedLog;
  beforeAll(async () => {
    log = capturedLog();
    hub = await startTestHub(kind, { logger: log.logger });
  });
  afterAll(async () => {
    await hub?.close();
  });

  it("redacts a source's secret query parameter under any spelling, and its signature, in the access log and the raw record", async () => {
    const secret = `SECRET-${randomUUID()}`;
    const slug = await createSource(hub, [{ kind: 'secret-query', param: 'pk' }], secret);
    const signedSecret = `SIGNING-${randomUUID()}`;
    const signed = await createSource(
      hub,
      [{ kind: 'signature', scheme: { kind: 'digest', algorithm: 'sha256', encoding: 'hex', location: { query: 'vfy' }, message: { kind: 'template', template: '{transaction_id}:{secret}' } } }],
      signedSecret,
    );
    const user = `user-${randomUUID()}`;
    const signature = createHash('sha256').update(`t5:${signedSecret}`).digest('hex');
    const requests: Array<[string, number]> = [
      [`/postbacks/${slug}?user_id=${user}&transaction_id=t1&pk=${secret}`, 200],
      [`/postbacks/${slug}?user_id=${user}&transaction_id=t2&p%6b=${secret}`, 200],
      [`/postbacks/${slug}?user_id=${user}&transaction_id=t3&PK=${secret}`, 401],
      [`/postbacks/${slug}?pk=${secret}&user_id=${user}&transaction_id=t4&pk=${secret}`, 200],
      [`/postbacks/${signed}?user_id=${user}&transaction_id=t5&vfy=${signature}`, 200],
      // Sent to the wrong source, or nowhere: still a credential.
      [`/postbacks/${signed}?user_id=${user}&transaction_id=t6&pk=${secret}`, 401],
      [`/nowhere?user_id=${user}&p%6B=${secret}`, 404],
    ];
    for (const [path, status] of requests) {
      const { status: got, body, line } = await send(hub, log, path);
      expect(got, body).toBe(status);
      expect(line).toContain(`user_id=${user}`);
      expect(line).not.toContain(secret);
      expect(line).not.toContain(signature);
    }
    expect(log.text()).toContain(`p%6b=[redacted]`);
    expect(log.text()).toContain(`PK=[redacted]`);
    expect(log.text()).toContain(`vfy=[redacted]`);
    // Fastify's own request serializer, should one of its lines ever log a request.
    hub.hub.app.log.info({ req: { method: 'GET', url: `/postbacks/${slug}?pk=${secret}`, ip: '127.0.0.1', host: 'h' } }, 'probe');
    expect(log.lines.find((line) => line.includes('"msg":"probe"'))).toContain('pk=[redacted]');
    expect(log.text()).not.toContain(secret);
    expect(log.text()).not.toContain(signature);

    const recorded: Array<Record<string, unknown>> = [];
    for (const source of [slug, signed]) {
      const events = (await hub.admin(`/events?source=${source}&limit=100`)).body.items as Array<{ id: string }>;
      expect(events.length).toBe(source === slug ? 4 : 2);
      for (const { id } of events) {
        const event = (await hub.admin(`/events/${id}`)).body;
        expect(event.raw.query.user_id).toBe(user);
        expect(JSON.stringify(event)).not.toContain(secret);
        expect(JSON.stringify(event)).not.toContain(signature);
        recorded.push(event.raw.query);
      }
    }
    expect(recorded).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ pk: '[redacted]', transaction_id: 't2' }),
        expect.objectContaining({ PK: '[redacted]' }),
        expect.objectContaining({ pk: '[redacted]', transaction_id: 't4' }),
        expect.objectContaining({ vfy: '[redacted]' }),
      ]),
    );
  });

  it('follows sources as they are created, changed and deleted, at once', async () => {
    const [first, second] = [newName(), newName()];
    const slug = await createSource(hub, [{ kind: 'secret-query', param: first }], `s-${randomUUID()}`);
    expect((await send(hub, log, `/nowhere?${first}=one`)).line).toContain(`${first}=[redacted]`);
    const changed = await hub.admin(`/sources/${slug}`, { method: 'PATCH', body: { overrides: { auth: [{ kind: 'secret-header', header: 'X-Other' }, { kind: 'secret-query', param: second }] } } });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    const after = (await send(hub, log, `/nowhere?${first}=two&${second}=three&x-other=four`)).line;
    expect(after).toContain(`${first}=two`);
    expect(after).toContain(`${second}=[redacted]`);
    expect(after).toContain('x-other=[redacted]');
    expect((await hub.admin(`/sources/${slug}`, { method: 'DELETE' })).status).toBe(204);
    expect((await send(hub, log, `/nowhere?${second}=five`)).line).toContain(`${second}=five`);
  });
});

describe.each(STORE_KINDS)('credential names on %s', (kind: StoreKind) => {
  it('are read at start', async () => {
    const db = await createTestDatabase(kind);
    const name = newName();
    try {
      const before = await startTestHub(kind, { db });
      try {
        await createSource(before, [{ kind: 'any', rules: [{ kind: 'bearer' }, { kind: 'secret-query', param: name }] }], `s-${randomUUID()}`);
      } finally {
        await before.close();
      }
      const log = capturedLog();
      const after = await startTestHub(kind, { db, logger: log.logger });
      try {
        expect((await send(after, log, `/nowhere?${name}=SECRET-AT-START`)).line).toContain(`${name}=[redacted]`);
        expect(log.text()).not.toContain('SECRET-AT-START');
      } finally {
        await after.close();
      }
    } finally {
      await db.cleanup();
    }
  });

  it.runIf(kind === 'postgres')("follow another process's changes: at once for its source's own postbacks, within seconds elsewhere", async () => {
    const db = await createTestDatabase(kind);
    const log = capturedLog();
    const observer = await startTestHub(kind, { db, logger: log.logger });
    const other = await startTestHub(kind, { db });
    try {
      const [own, elsewhere] = [newName(), newName()];
      const secret = `SECRET-OWN-${randomUUID()}`;
      const slug = await createSource(other, [{ kind: 'secret-query', param: own }], secret);
      const first = await send(observer, log, `/postbacks/${slug}?user_id=u1&transaction_id=t1&${own}=${secret}`);
      expect(first.status, first.body).toBe(200);
      expect(first.line).not.toContain(secret);

      await createSource(other, [{ kind: 'secret-query', param: elsewhere }], `s-${randomUUID()}`);
      const deadline = Date.now() + 30_000;
      for (;;) {
        const { line } = await send(observer, log, `/nowhere?${elsewhere}=later`);
        if (line.includes(`${elsewhere}=[redacted]`)) break;
        expect(Date.now(), 'the name never reached the other process').toBeLessThan(deadline);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    } finally {
      await other.close();
      await observer.close();
      await db.cleanup();
    }
  });
});
