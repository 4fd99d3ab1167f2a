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
 * One attempt as an undici dispatch handler: the status, Retry-After and at most an excerpt of
 * the body, with no stream or promise per chunk. The response stream, its async iterator and
 * an AbortSignal per request were ~15% of the worker's CPU at thousands of deliveries a second.
 */
class AttemptHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | null = null;
  private status = 0;
  private retryAfter: string | undefined;
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private settled = false;
  private expired = false;

  constructor(
    private readonly started: number,
    private readonly timeoutMs: number,
    private readonly done: (result: SendResult) => void,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // It waited for a connection past its deadline.
    if (this.expired) controller.abort(timeoutError());
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    this.status = statusCode;
    const retryAfter = headers['retry-after'];
    this.retryAfter = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    // Read at most an excerpt: a partner's error page must not fill the memory.
    if (this.size >= EXCERPT_BYTES) {
      this.answer();
      controller.abort(new Error('excerpt read'));
    }
  }

  onResponseEnd(): void {
    this.answer();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.fail(error);
  }

  fail(error: unknown): void {
    this.settle({ ok: false, error: describe(error, this.timeoutMs), latencyMs: this.elapsed() });
  }

  /** The whole attempt's deadline passed: queue, connect, headers and body together. */
  expire(): void {
    this.expired = true;
    this.controller?.abort(timeoutError());
  }

  private answer(): void {
    // concat's length cuts the last chunk at the excerpt's end.
    const excerpt = Buffer.concat(this.chunks, Math.min(this.size, EXCERPT_BYTES)).toString('utf8');
    this.settle({ ok: true, status: this.status, retryAfter: this.retryAfter, excerpt, latencyMs: this.elapsed() });
  }

  private settle(result: SendResult): void {
    if (this.settled) return;
    this.settled = true;
    this.done(result);
  }

  private elapsed(): number {
    return Math.round(performance.now() - this.started);
  }
}

function timeoutError(): Error {
  return Object.assign(new Error('timeout'), { name: 'TimeoutError' });
}

/**
 * undici with keep-alive pools. The address check runs where the connection is made (the DNS
 * answer of that moment, not of when the destination was saved), so a name that later points
 * to an internal address is refused too.
 */
export function createSender(options: { allowCidrs: readonly string[] }): Sender {
  const allow = allowList(options.allowCidrs);
  // Destinations name few hosts; their verdicts, not a BlockList walk per request.
  const verdicts = new Map<string, string | null>();
  const refusedHost = (host: string): string | null => {
    let verdict = verdicts.get(host);
    if (verdict === undefined) {
      if (verdicts.size >= 1024) verdicts.clear();
      verdict = refusedAddress(host, allow);
      verdicts.set(host, verdict);
    }
    return verdict;
  };
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
  // No cap on connections here: the worker's per-destination limiter decides how many run at
  // once, so no request waits in undici's queue with its timeout running.
  const agent = new Agent({ connect: { lookup }, keepAliveTimeout: 30_000 });
  const redirecting = agent.compose(interceptors.redirect({ maxRedirections: 5 }));

  return {
    send(request, { timeoutMs, followRedirects }) {
      const started = performance.now();
      let url: URL;
      try {
        url = new URL(request.url);
      } catch {
        return Promise.resolve({ ok: false, error: `invalid URL: ${request.url}`, latencyMs: 0 });
      }
      const host = url.hostname.replace(/^\[|\]$/g, '');
      if (isIP(host) !== 0) {
        const refused = refusedHost(host);
        if (refused !== null) return Promise.resolve({ ok: false, error: `refused: ${refused}`, latencyMs: 0 });
      }
      const dispatcher: Dispatcher = followRedirects ? redirecting : agent;
      return new Promise<SendResult>((resolve) => {
        // One timer for the whole attempt (queue, connect, headers and body together). Node's
        // timers of one duration share a list, so this is cheap; a Set of attempts swept by one
        // interval made each request cost 25–30% more CPU, in the garbage collector.
        const handler = new AttemptHandler(started, timeoutMs, (result) => {
          clearTimeout(deadline);
          resolve(result);
        });
        const deadline = setTimeout(() => handler.expire(), timeoutMs);
        try {
          dispatcher.dispatch(
            {
              origin: url.origin,
              path: `${url.pathname}${url.search}`,
              method: request.method,
              headers: request.headers,
              body: request.body ?? null,
              headersTimeout: timeoutMs,
              bodyTimeout: timeoutMs,
            },
            handler,
          );
        } catch (error) {
          handler.fail(error);
        }
      });
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
