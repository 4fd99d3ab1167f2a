// The click path served ahead of Fastify, on a real loopback server: what it takes, what it
// leaves to the framework, and that it hands out no click once the hub is closing.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ClickService } from '../src/features/clicks/clicks-service.js';
import type { LoadedLink } from '../src/features/clicks/links-service.js';
import { clickPath } from '../src/http/routes/clicks.js';
import type { ClickRecord } from '../src/features/clicks/clicks-types.js';

const link: LoadedLink = {
  id: 'l1',
  name: null,
  offerId: 'o',
  partner: 'p',
  config: { target: 'https://x.example/?c={click_id}', partnerClickIdParam: 'click_id' },
  enabled: true,
  createdAt: 0,
  updatedAt: 0,
};

describe('the click path', () => {
  let server: http.Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it('takes GET and HEAD /c/…, leaves the rest to the framework, and refuses clicks once closing', async () => {
    const written: ClickRecord[] = [];
    // l1 is read from the store (a promise); l2 is in the cache (answered synchronously).
    const links = {
      resolve: (id: string) => Promise.resolve(id === 'l1' ? link : null),
      cached: (id: string) => {
        if (id === 'broken') throw new Error('cache failed');
        return id === 'l2' ? { ...link, id: 'l2' } : undefined;
      },
    };
    const clicks = new ClickService(links, {
      recordClicks: (c) => {
        written.push(...c);
        return Promise.resolve();
      },
    }, { now: () => 1_795_000_000_000 });
    const outcomes: string[] = [];
    const path = clickPath({ clicks, trustProxy: false, onClick: (o) => outcomes.push(o), onError: () => {} });
    server = http.createServer((request, response) => {
      if (!path(request, response)) response.end('framework');
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const get = async (p: string, method = 'GET') => {
      const r = await fetch(`${base}${p}`, { method, redirect: 'manual' });
      return { status: r.status, location: r.headers.get('location'), text: await r.text() };
    };

    expect(await get('/c/l1?sub=u')).toMatchObject({ status: 302, location: expect.stringMatching(/^https:\/\/x\.example\/\?c=[a-z0-9]{8}[A-Za-z0-9_-]{16}$/) });
    expect(await get('/c/l2?sub=w')).toMatchObject({ status: 302, location: expect.stringMatching(/^https:\/\/x\.example\/\?c=/) });
    expect((await get('/c/nope')).status).toBe(404);
    expect((await get('/c/broken')).status).toBe(503);
    expect(await get('/c/l1', 'POST')).toMatchObject({ status: 200, text: 'framework' });
    expect(await get('/admin/')).toMatchObject({ status: 200, text: 'framework' });
    await clicks.drain();
    expect(written.map((c) => [c.linkId, c.userId])).toEqual([
      ['l1', 'u'],
      ['l2', 'w'],
    ]);

    path.close();
    expect((await get('/c/l1?sub=v')).status).toBe(503);
    await clicks.drain();
    expect(written).toHaveLength(2);
    expect(outcomes).toEqual(['redirect', 'redirect', 'not_found', 'error']);
  });
});
