// Failed admin sign-ins are throttled per client address, through the real server: only
// failures count, a throttled address is refused before its token is looked at, and nobody
// else is affected.
import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ADMIN_FAILURE_LIMIT } from '../src/http/admin-auth.js';
import { ADMIN_TOKEN, startTestHub, type TestHub } from './helpers/hub.js';

const WRONG = 'Bearer wrong-token-wrong-token';
const RIGHT = `Bearer ${ADMIN_TOKEN}`;
const { max } = ADMIN_FAILURE_LIMIT;

interface Answer {
  status: number;
  retryAfter: string | null;
  body: any;
}

/** GET an admin path with `authorization`, from `from` (X-Forwarded-For) when given. */
async function get(hub: TestHub, path: string, authorization: string | undefined, from?: string): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (authorization !== undefined) headers.authorization = authorization;
  if (from !== undefined) headers['x-forwarded-for'] = from;
  const response = await fetch(`${hub.url}/admin/api${path}`, { headers });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.json() };
}

/** GET an admin path from a given loopback address (the connection's own source address). */
function getFrom(hub: TestHub, localAddress: string, path: string, authorization: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${hub.url}/admin/api${path}`, { localAddress, headers: { authorization } }, (response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode ?? 0));
    });
    request.once('error', reject);
  });
}

function expectThrottled(answer: Answer): void {
  expect(answer.status).toBe(429);
  expect(answer.body).toEqual({ ok: false, error: 'too_many_requests', message: expect.stringMatching(/^Too many failed admin sign-ins from this address; retry in \d+ s$/) });
  const seconds = Number(answer.retryAfter);
  expect(seconds).toBeGreaterThan(0);
  expect(seconds).toBeLessThanOrEqual(ADMIN_FAILURE_LIMIT.timeWindow / 1000);
}

describe('admin sign-in throttling, behind a trusted proxy', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub('sqlite', { worker: false, trustProxy: true });
  });

  afterAll(async () => {
    await hub?.close();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('never throttles the right token, however busy', async () => {
    const from = '203.0.113.1';
    for (let i = 0; i < 5 * max; i++) {
      expect((await get(hub, i % 2 === 0 ? '/users' : '/stats', RIGHT, from)).status).toBe(200);
    }
    // Those successes counted for nothing: the address still has all its failures left.
    for (let i = 0; i < max; i++) expect((await get(hub, '/users', WRONG, from)).status).toBe(401);
  });

  it(`answers 429 with Retry-After once an address has failed more than ${max} times, without looking at its token`, async () => {
    const from = '203.0.113.2';
    // No credentials at all is not a guess (a dashboard asking whether it is signed in): not counted.
    for (let i = 0; i < 2 * max; i++) expect((await get(hub, '/users', undefined, from)).status).toBe(401);
    for (let i = 0; i < max; i++) {
      const answer = await get(hub, '/users', WRONG, from);
      expect(answer).toMatchObject({ status: 401, body: { ok: false, error: 'unauthorized' } });
    }
    expectThrottled(await get(hub, '/users', WRONG, from));
    // The right token is not even checked: a 200 now would tell a guesser it had found it.
    expectThrottled(await get(hub, '/users', RIGHT, from));
  });

  it('counts failures on both admin route groups together, and throttles both', async () => {
    const from = '203.0.113.3';
    for (let i = 0; i < max; i++) expect((await get(hub, i % 2 === 0 ? '/users' : '/stats', WRONG, from)).status).toBe(401);
    expectThrottled(await get(hub, '/stats', WRONG, from));
    expectThrottled(await get(hub, '/stats', RIGHT, from));
    expectThrottled(await get(hub, '/sources/any/test', RIGHT, from));
    expectThrottled(await get(hub, '/events', RIGHT, from));
  });

  it('leaves other addresses, and the right token from them, alone', async () => {
    const from = '203.0.113.4';
    for (let i = 0; i <= max; i++) await get(hub, '/users', WRONG, from);
    expectThrottled(await get(hub, '/users', RIGHT, from));
    expect((await get(hub, '/users', RIGHT, '203.0.113.5')).status).toBe(200);
    expect((await get(hub, '/stats', RIGHT, '203.0.113.5')).status).toBe(200);
    expect((await get(hub, '/users', WRONG, '203.0.113.5')).status).toBe(401);
  });

  it('lets the address in again once the window has passed', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const from = '203.0.113.6';
    for (let i = 0; i <= max; i++) await get(hub, '/users', WRONG, from);
    const throttled = await get(hub, '/users', RIGHT, from);
    expectThrottled(throttled);
    vi.setSystemTime(Date.now() + Number(throttled.retryAfter) * 1000);
    expect((await get(hub, '/users', RIGHT, from)).status).toBe(200);
    expect((await get(hub, '/users', WRONG, from)).status).toBe(401);
  });
});

describe('admin sign-in throttling, without a trusted proxy', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub('sqlite', { worker: false });
  });

  afterAll(async () => {
    await hub?.close();
  });

  it('counts by the connection address, whatever X-Forwarded-For claims', async () => {
    for (let i = 0; i < max; i++) expect((await get(hub, '/users', WRONG, `198.51.100.${i}`)).status).toBe(401);
    expectThrottled(await get(hub, '/users', WRONG, '198.51.100.100'));
    expectThrottled(await get(hub, '/users', RIGHT, '198.51.100.200'));
    expect(await getFrom(hub, '127.0.0.1', '/users', RIGHT)).toBe(429);
    // Another loopback address is another client.
    expect(await getFrom(hub, '127.0.0.2', '/users', RIGHT)).toBe(200);
  });
});
