import dns from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Agent, buildConnector, interceptors, type Dispatcher } from 'undici';
import type { OutboundRequest } from '../destinations/request.js';
import { allowList, refusal } from './addresses.js';

/** What came back from one attempt. */
export type SendResult =
  | { ok: true; status: number; retryAfter: string | undefined; excerpt: string; latencyMs: number }
  | { ok: false; error: string; latencyMs: number };

export interface Sender {
  send(request: OutboundRequest, options: { timeoutMs: number; followRedirects: boolean }): Promise<SendResult>;
  close(): Promise<void>;
}

const EXCERPT_BYTES = 2048;

/**
 * A connection the address policy refused. It names the origin it was for, so that a refused
 * redirect hop can be told from the destination's own URL.
 */
class RefusedAddressError extends Error {
  readonly code = 'EREFUSEDADDRESS';
  constructor(
    message: string,
    // Set by the connector: a lookup knows the name but not the origin.
    public origin = '',
  ) {
    super(message);
  }
}

function originOf(target: buildConnector.Options): string {
  return `${target.protocol}//${target.host ?? target.hostname}`;
}

/** How names are resolved: dns.lookup, or a test's own answers. */
export type ResolveAll = (hostname: string, options: dns.LookupAllOptions, callback: (error: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void) => void;

/**
 * undici with keep-alive pools. The address check runs in the connector, for every connection
 * (the destination's and each redirect hop's) right before it is made, on the DNS answer of that
 * moment: a name that later points to an internal address is refused too.
 */
export function createSender(options: { allowCidrs: readonly string[]; resolve?: ResolveAll }): Sender {
  const allow = allowList(options.allowCidrs);
  const resolve: ResolveAll = options.resolve ?? dns.lookup;
  const refused = (address: string): string | null => refusal(address, allow);
  // Every address of the answer, not just the first: Node may try each of them in turn.
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    resolve(hostname, { ...lookupOptions, all: true }, (error, addresses) => {
      if (error !== null) return callback(error, '', 4);
      for (const { address } of addresses) {
        const why = refused(address);
        if (why !== null) return callback(new RefusedAddressError(`${hostname} resolves to ${address}, ${why}`), '', 4);
      }
      if (lookupOptions.all === true) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
  const connectSocket = buildConnector({ lookup });
  // Node connects to an IP literal without a lookup: literals are judged here, names in `lookup`.
  const connect: buildConnector.connector = (target, callback) => {
    if (isIP(target.hostname) !== 0) {
      const why = refused(target.hostname);
      if (why !== null) {
        process.nextTick(callback, new RefusedAddressError(`${target.hostname} is ${why}`, originOf(target)), null);
        return;
      }
      connectSocket(target, callback);
      return;
    }
    connectSocket(target, (error, socket) => {
      if (error instanceof RefusedAddressError) error.origin = originOf(target);
      (callback as (e: Error | null, s: typeof socket) => void)(error, socket);
    });
  };
  // No cap on connections here: the worker's per-destination limiter decides how many run at
  // once, so no request waits in undici's queue with its timeout running.
  const agent = new Agent({ connect, keepAliveTimeout: 30_000 });
  const redirecting = agent.compose(interceptors.redirect({ maxRedirections: 5 }));

  return {
    async send(request, { timeoutMs, followRedirects }) {
      const started = performance.now();
      const latencyMs = () => Math.round(performance.now() - started);
      let url: URL;
      try {
        url = new URL(request.url);
      } catch {
        return { ok: false, error: `invalid URL: ${request.url}`, latencyMs: 0 };
      }
      const dispatcher: Dispatcher = followRedirects ? redirecting : agent;
      // One deadline for the whole attempt: waiting for a connection, headers and body together.
      const abort = new AbortController();
      const deadline = setTimeout(() => abort.abort(new DOMException('timeout', 'TimeoutError')), timeoutMs);
      try {
        const response = await dispatcher.request({
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: request.method,
          headers: request.headers,
          body: request.body ?? null,
          signal: abort.signal,
        });
        const retryAfter = response.headers['retry-after'];
        const excerpt = await readExcerpt(response.body);
        return { ok: true, status: response.statusCode, retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, excerpt, latencyMs: latencyMs() };
      } catch (error) {
        // A refused connection to another origin than the destination's is a redirect hop's.
        const message =
          error instanceof RefusedAddressError
            ? `refused: ${error.origin === url.origin ? '' : `redirect to ${error.origin} — `}${error.message}`
            : describe(error, timeoutMs);
        return { ok: false, error: message, latencyMs: latencyMs() };
      } finally {
        clearTimeout(deadline);
      }
    },
    close: () => agent.close(),
  };
}

/** At most the first EXCERPT_BYTES of a body: a partner's error page must not fill the memory. */
async function readExcerpt(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  // Leaving the loop early destroys the body, and with it the rest of the response.
  for await (const chunk of body as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= EXCERPT_BYTES) break;
  }
  return Buffer.concat(chunks, Math.min(size, EXCERPT_BYTES)).toString('utf8');
}

function describe(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT') return `timeout after ${timeoutMs} ms`;
  const code = e.code ?? e.cause?.code;
  const message = e.cause?.message ?? e.message ?? String(error);
  return code === undefined ? message : `${code}: ${message}`;
}
