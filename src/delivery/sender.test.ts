import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowList, createSender, refusedAddress } from './sender.js';

describe('refusedAddress', () => {
  it('refuses private, loopback, link-local and metadata addresses unless allowed', () => {
    const none = allowList([]);
    for (const address of ['127.0.0.1', '10.1.2.3', '169.254.169.254', '192.168.0.1', '::1', '::ffff:127.0.0.1', 'fe80::1']) {
      expect(refusedAddress(address, none), address).not.toBeNull();
    }
    expect(refusedAddress('93.184.216.34', none)).toBeNull();
    expect(refusedAddress('127.0.0.1', allowList(['127.0.0.0/8']))).toBeNull();
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
