// A body over a route's limit is answered 413 before it has all arrived. Ordinary clients write
// the whole body before reading: they must still get that answer (the hub drains the rest, up
// to a bound), and a body far beyond the bound must be cut without the hub reading it all.
import net from 'node:net';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { LINGER_LIMITS } from '../src/http/lingering-close.js';

const MiB = 1024 * 1024;

interface Sent {
  status?: number;
  body?: unknown;
  error?: string;
}

/**
 * Node's fetch, run on its own thread: a client in its own event loop keeps writing while the
 * hub answers, as a separate process would (in the hub's own loop the two take turns).
 * `stream` sends the body chunked, with no Content-Length.
 */
function fetchFromAnotherThread(url: string, headers: Record<string, string>, bytes: number, stream: boolean): Promise<Sent> {
  const code = `
    const { parentPort, workerData: { url, headers, bytes, stream } } = require('node:worker_threads');
    const body = JSON.stringify({ pad: 'x'.repeat(bytes) });
    const chunks = async function* () { for (let at = 0; at < body.length; at += 65536) yield Buffer.from(body.slice(at, at + 65536)); };
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: stream ? chunks() : body, ...(stream ? { duplex: 'half' } : {}) })
      .then(async (response) => parentPort.postMessage({ status: response.status, body: await response.json() }))
      .catch((error) => parentPort.postMessage({ error: String(error.cause?.code ?? error.cause ?? error) }));
  `;
  const worker = new Worker(code, { eval: true, workerData: { url, headers, bytes, stream } });
  return new Promise<Sent>((resolve, reject) => {
    worker.once('message', (message: Sent) => {
      resolve(message);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

/**
 * Writes a chunked body for as long as the hub takes it (at most `cap` bytes), reading what it
 * answers: resolves with how much was written and the answer's status line, once the hub has cut
 * the connection or the cap was reached.
 */
function sendEndlessly(url: string, path: string, headers: Record<string, string>, cap: number): Promise<{ written: number; statusLine: string; cut: boolean }> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  let answer = '';
  let written = 0;
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
  const head = [`POST ${path} HTTP/1.1`, `Host: ${hostname}:${port}`, 'Content-Type: application/json', 'Transfer-Encoding: chunked', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
  const piece = Buffer.alloc(64 * 1024, 'x');
  const chunk = Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]);
  return new Promise((resolve) => {
    let done = false;
    const finish = (cut: boolean) => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve({ written, statusLine: answer.split('\r\n')[0] ?? '', cut });
    };
    socket.once('close', () => finish(true));
    socket.on('error', () => finish(true));
    const pump = () => {
      while (!done && written < cap) {
        written += chunk.length;
        if (!socket.write(chunk)) return void socket.once('drain', pump);
      }
      if (written >= cap) finish(false);
    };
    socket.once('connect', () => {
      socket.write(head);
      pump();
    });
  });
}

describe('oversized bodies', () => {
  let hub: TestHub;
  let secret: string;

  beforeAll(async () => {
    hub = await startTestHub('sqlite', { worker: false });
    secret = (await hub.admin('/api-secrets', { body: { name: 'oversized' } })).body.secret;
    expect((await hub.admin('/sources', { body: { slug: 'oversized', preset: 'generic' } })).status).toBe(201);
  });

  afterAll(async () => {
    await hub?.close();
  });

  // [route, path, authenticated with the API secret, the route's limit]
  const routes: Array<[string, string, boolean, number]> = [
    ['POST /api/postback', '/api/postback', true, 64 * 1024],
    ['POST /postbacks/:slug', '/postbacks/oversized', false, 64 * 1024],
    ['POST /api/events', '/api/events', true, MiB],
  ];

  describe.each(routes)('%s', (_route, path, authenticated, limit) => {
    it.each([
      ['with a Content-Length', false],
      ['chunked', true],
    ])("answers a 5 MB body sent %s with a 413 Node's fetch can read, naming the limit", async (_how, stream) => {
      const headers: Record<string, string> = authenticated ? { authorization: `Bearer ${secret}` } : {};
      // Twice: whether a client still writing sees a closed connection is a race.
      for (let i = 0; i < 2; i++) {
        const sent = await fetchFromAnotherThread(`${hub.url}${path}`, headers, 5 * MiB, stream);
        expect(sent).toEqual({ status: 413, body: { ok: false, error: 'payload_too_large', message: `Request body is larger than ${limit} bytes`, field: 'body' } });
      }
    });
  });

  it('cuts a body declared far beyond the bound at once, after the 413, without reading it', async () => {
    const { hostname, port } = new URL(hub.url);
    const socket = net.connect(Number(port), hostname);
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('error', () => {});
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(`POST /api/postback HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: ${1024 * MiB}\r\nAuthorization: Bearer ${secret}\r\n\r\n`);
    // Nothing of the body is sent: the hub answers and closes on the declared length alone.
    await new Promise((resolve) => socket.once('close', resolve));
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 413 Payload Too Large');
    expect(answer.toLowerCase()).toContain('connection: close');
  });

  it('reads a chunked body that goes on past the bound only up to the bound, then cuts it', async () => {
    const cap = 8 * LINGER_LIMITS.bytes;
    const sent = await sendEndlessly(hub.url, '/api/postback', { authorization: `Bearer ${secret}` }, cap);
    expect(sent.statusLine).toBe('HTTP/1.1 413 Payload Too Large');
    expect(sent.cut).toBe(true);
    // What the client got written before the cut: the bound, plus what the sockets buffer.
    expect(sent.written).toBeGreaterThan(LINGER_LIMITS.bytes);
    expect(sent.written).toBeLessThan(cap / 2);
    expect((await fetch(`${hub.url}/healthz`)).status).toBe(200);
  });

  it('cuts a body that trickles in once the time bound has passed', async () => {
    const quick = await startTestHub('sqlite', { worker: false, linger: { bytes: LINGER_LIMITS.bytes, ms: 300 } });
    const { hostname, port } = new URL(quick.url);
    const socket = net.connect(Number(port), hostname);
    let trickle: NodeJS.Timeout | undefined;
    try {
      let answer = '';
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
      socket.on('error', () => {});
      const closed = new Promise((resolve) => socket.once('close', resolve));
      await new Promise((resolve) => socket.once('connect', resolve));
      // A body the hub refuses unread (no API secret), coming a byte at a time: often enough
      // that the connection is never idle, so only the time bound ends it.
      socket.write(`POST /api/events HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"pad":"`);
      trickle = setInterval(() => socket.write('x'), 20);
      const cut = await Promise.race([closed.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 20_000).unref())]);
      expect(cut).toBe(true);
      expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 401 Unauthorized');
    } finally {
      clearInterval(trickle);
      socket.destroy();
      await quick.close();
    }
  }, 40_000);
});
