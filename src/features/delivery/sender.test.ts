import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSender, type ResolveAll } from './sender.js';

async function listen(server: http.Server, host: string): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return (server.address() as AddressInfo).port;
}

async function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

describe('the address check at connect time', () => {
  // Only 127.0.0.2 is allowed: a partner there redirects wherever `?to=` says; an internal
  // server on 127.0.0.1 counts what reaches it.
  let internalHits = 0;
  const internal = http.createServer((_request, response) => {
    internalHits++;
    response.end('internal secret');
  });
  const partner = http.createServer((request, response) => {
    const to = new URL(request.url ?? '/', 'http://x').searchParams.get('to');
    if (to === null) return response.end('partner OK');
    response.writeHead(302, { location: to });
    response.end();
  });
  let internalPort = 0;
  let partnerPort = 0;
  // Names resolve to what the test says, in that order.
  const names: Record<string, string[]> = { 'partner.test': ['127.0.0.2'], 'rebound.test': ['127.0.0.2', '127.0.0.1'] };
  const resolve: ResolveAll = (hostname, _options, callback) => {
    const addresses = names[hostname];
    if (addresses === undefined) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
    callback(null, addresses.map((address) => ({ address, family: 4 })));
  };
  const sender = createSender({ allowCidrs: ['127.0.0.2/32'], resolve });
  const get = (url: string, followRedirects = true) => sender.send({ url, method: 'GET', headers: {}, body: undefined }, { timeoutMs: 5000, followRedirects });

  beforeAll(async () => {
    internalPort = await listen(internal, '127.0.0.1');
    partnerPort = await listen(partner, '127.0.0.2');
  });
  afterAll(async () => {
    await sender.close();
    await close(internal);
    await close(partner);
  });

  it('refuses a redirect hop to an internal address, naming the hop, without connecting to it', async () => {
    const hop = `http://127.0.0.1:${internalPort}/latest`;
    const result = await get(`http://127.0.0.2:${partnerPort}/?to=${encodeURIComponent(hop)}`);
    expect(result).toMatchObject({ ok: false, error: `refused: redirect to http://127.0.0.1:${internalPort} — 127.0.0.1 is a loopback address` });
    expect(internalHits).toBe(0);
  });

  it('follows a redirect to an allowed address, and leaves one unfollowed when told to', async () => {
    const hop = `http://127.0.0.2:${partnerPort}/landing`;
    expect(await get(`http://127.0.0.2:${partnerPort}/?to=${encodeURIComponent(hop)}`)).toMatchObject({ ok: true, status: 200, excerpt: 'partner OK' });
    expect(await get(`http://127.0.0.2:${partnerPort}/?to=${encodeURIComponent(`http://127.0.0.1:${internalPort}/`)}`, false)).toMatchObject({ ok: true, status: 302 });
    expect(internalHits).toBe(0);
  });

  it("refuses the destination's own internal address without naming a redirect", async () => {
    expect(await get(`http://127.0.0.1:${internalPort}/`)).toMatchObject({ ok: false, error: 'refused: 127.0.0.1 is a loopback address' });
    expect(await get(`http://[::ffff:7f00:1]:${internalPort}/`)).toMatchObject({ ok: false, error: 'refused: ::ffff:7f00:1 is a loopback address (IPv4-mapped 127.0.0.1)' });
    expect(internalHits).toBe(0);
  });

  it('checks every address a name resolves to, at each new connection', async () => {
    expect(await get(`http://partner.test:${partnerPort}/`)).toMatchObject({ ok: true, status: 200, excerpt: 'partner OK' });
    expect(await get(`http://rebound.test:${partnerPort}/`)).toMatchObject({ ok: false, error: 'refused: rebound.test resolves to 127.0.0.1, a loopback address' });
    const hop = `http://rebound.test:${internalPort}/`;
    expect(await get(`http://partner.test:${partnerPort}/?to=${encodeURIComponent(hop)}`)).toMatchObject({
      ok: false,
      error: `refused: redirect to http://rebound.test:${internalPort} — rebound.test resolves to 127.0.0.1, a loopback address`,
    });
    expect(internalHits).toBe(0);
  });
});

describe('createSender', () => {
  // Real HTTP on loopback: what an attempt keeps of an answer, and its whole-request deadline.
  let server: http.Server;
  let origin = '';
  const sender = createSender({ allowCidrs: ['127.0.0.0/8'] });
  beforeAll(async () => {
    server = http.createServer((request, response) => {
      if (request.url === '/big') {
        response.writeHead(500, { 'retry-after': '7' });
        response.end('x'.repeat(100_000));
      } else if (request.url === '/trickle') {
        // Headers at once, then a byte every 20 ms: no single wait reaches the timeout.
        response.writeHead(200);
        const timer = setInterval(() => response.write('.'), 20);
        response.on('close', () => clearInterval(timer));
      } else {
        response.end('OK');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await sender.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('keeps the status, Retry-After and at most a 2 KiB excerpt of the body', async () => {
    const result = await sender.send({ url: `${origin}/big`, method: 'GET', headers: {}, body: undefined }, { timeoutMs: 5000, followRedirects: false });
    expect(result).toMatchObject({ ok: true, status: 500, retryAfter: '7', excerpt: 'x'.repeat(2048) });
  });

  it('ends an attempt at its timeout even while the body keeps trickling in', async () => {
    const started = performance.now();
    const result = await sender.send({ url: `${origin}/trickle`, method: 'GET', headers: {}, body: undefined }, { timeoutMs: 300, followRedirects: false });
    const took = performance.now() - started;
    expect(result).toMatchObject({ ok: false, error: 'timeout after 300 ms' });
    expect(took).toBeGreaterThanOrEqual(299);
    expect(took).toBeLessThan(1000);
  });

  it('sends the next request over the same pool after both', async () => {
    expect(await sender.send({ url: `${origin}/`, method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' }, { timeoutMs: 5000, followRedirects: false })).toMatchObject({
      ok: true,
      status: 200,
      excerpt: 'OK',
    });
  });
});
