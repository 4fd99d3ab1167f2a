import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** How the receiver answers the next request: a status (and headers/body), a hang, or a reset. */
export type Reply = { status: number; headers?: Record<string, string>; body?: string; delayMs?: number } | { hang: true } | { reset: true };

/** A real HTTP server on 127.0.0.1 (or `host`) that records what it gets and answers as programmed. */
export async function startReceiver(options: { host?: string } = {}) {
  const host = options.host ?? '127.0.0.1';
  const received: Received[] = [];
  const load = { current: 0, peak: 0 };
  const replies: Reply[] = [];
  const waiting: Array<(request: Received) => void> = [];
  const sockets = new Set<Socket>();
  let defaultReply: Reply = { status: 200, body: 'OK' };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const got = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString() };
      received.push(got);
      for (const resolve of waiting.splice(0)) resolve(got);
      const reply = replies.shift() ?? defaultReply;
      if ('hang' in reply) return;
      if ('reset' in reply) return request.socket.destroy();
      load.current++;
      load.peak = Math.max(load.peak, load.current);
      setTimeout(() => {
        load.current--;
        response.writeHead(reply.status, reply.headers ?? {});
        response.end(reply.body ?? '');
      }, reply.delayMs ?? 0);
    });
  });
  let connections = 0;
  server.on('connection', (s) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    received,
    /** How many connections it accepted, requests or not. */
    get connections() {
      return connections;
    },
    reply: (...next: Reply[]) => replies.push(...next),
    /** The next request to arrive, as it arrives (before it is answered). */
    nextRequest: () => new Promise<Received>((resolve) => waiting.push(resolve)),
    /** What every request gets when nothing was programmed. */
    setDefault: (reply: Reply) => (defaultReply = reply),
    load,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
