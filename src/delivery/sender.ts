import dns from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Agent, interceptors, type Dispatcher } from 'undici';
import type { OutboundRequest } from '../domain/destinations/request.js';

/** What came back from one attempt. */
export type SendResult =
  | { ok: true; status: number; retryAfter: string | undefined; excerpt: string; latencyMs: number }
  | { ok: false; error: string; latencyMs: number };

export interface Sender {
  send(request: OutboundRequest, options: { timeoutMs: number; followRedirects: boolean }): Promise<SendResult>;
  close(): Promise<void>;
}

const EXCERPT_BYTES = 2048;

/** Addresses a destination may never reach unless the configuration allows them. */
const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, with the cloud metadata address 169.254.169.254
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv6');
}

/** Why `address` may not be reached, or null. `allow` holds the operator's exceptions. */
export function refusedAddress(address: string, allow: BlockList): string | null {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] ?? address;
  const family = isIP(mapped) === 6 ? 'ipv6' : 'ipv4';
  if (allow.check(mapped, family)) return null;
  return PRIVATE.check(mapped, family) ? `${address} is a private, loopback, link-local or metadata address` : null;
}

export function allowList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = '', bits] = cidr.trim().split('/');
    const family = isIP(address);
    if (family === 0) continue;
    list.addSubnet(address, bits === undefined ? (family === 4 ? 32 : 128) : Number(bits), family === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}

/**
 * undici with keep-alive pools. The address check runs where the connection is made (the DNS
 * answer of that moment, not of when the destination was saved), so a name that later points
 * to an internal address is refused too.
 */
export function createSender(options: { allowCidrs: readonly string[] }): Sender {
  const allow = allowList(options.allowCidrs);
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    dns.lookup(hostname, { ...lookupOptions, all: true }, (error, addresses) => {
      if (error !== null) return callback(error, '', 4);
      const list = addresses;
      const refused = list.map((a) => refusedAddress(a.address, allow)).find((r) => r !== null);
      if (refused !== undefined) return callback(Object.assign(new Error(`refused: ${hostname} resolves to ${refused}`), { code: 'EREFUSEDADDRESS' }), '', 4);
      if (lookupOptions.all === true) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      const first = list[0]!;
      callback(null, first.address, first.family);
    });
  };
  const agent = new Agent({ connect: { lookup }, keepAliveTimeout: 30_000, connections: 64 });
  const redirecting = agent.compose(interceptors.redirect({ maxRedirections: 5 }));

  return {
    async send(request, { timeoutMs, followRedirects }) {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      const url = new URL(request.url);
      const host = url.hostname.replace(/^\[|\]$/g, '');
      if (isIP(host) !== 0) {
        const refused = refusedAddress(host, allow);
        if (refused !== null) return { ok: false, error: `refused: ${refused}`, latencyMs: 0 };
      }
      const dispatcher: Dispatcher = followRedirects ? redirecting : agent;
      try {
        const response = await dispatcher.request({
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: request.method,
          headers: request.headers,
          body: request.body,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          signal: AbortSignal.timeout(timeoutMs),
        });
        // Read at most an excerpt: a partner's error page must not fill the memory.
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of response.body as AsyncIterable<Buffer>) {
          chunks.push(chunk);
          size += chunk.length;
          if (size >= EXCERPT_BYTES) break;
        }
        const retryAfter = response.headers['retry-after'];
        return {
          ok: true,
          status: response.statusCode,
          retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
          excerpt: Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8'),
          latencyMs: elapsed(),
        };
      } catch (error) {
        return { ok: false, error: describe(error, timeoutMs), latencyMs: elapsed() };
      }
    },
    close: () => agent.close(),
  };
}

function describe(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT') return `timeout after ${timeoutMs} ms`;
  const code = e.code ?? e.cause?.code;
  const message = e.cause?.message ?? e.message ?? String(error);
  if (code === 'EREFUSEDADDRESS') return message;
  return code === undefined ? message : `${code}: ${message}`;
}
