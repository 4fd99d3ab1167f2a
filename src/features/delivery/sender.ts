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

/**
 * One attempt as an undici dispatch handler (undici's documented `Dispatcher.dispatch` API):
 * the status, Retry-After and at most an excerpt of the body, with no response stream, async
 * iterator or AbortSignal per request. `request()` costs those on every delivery; the paired
 * measurement that keeps this handler is in docs/performance.md.
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
    private readonly origin: string,
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
    // A refused connection to another origin than the destination's is a redirect hop's.
    const message =
      error instanceof RefusedAddressError
        ? `refused: ${error.origin === this.origin ? '' : `redirect to ${error.origin} — `}${error.message}`
        : describe(error, this.timeoutMs);
    this.settle({ ok: false, error: message, latencyMs: this.elapsed() });
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
    send(request, { timeoutMs, followRedirects }) {
      const started = performance.now();
      let url: URL;
      try {
        url = new URL(request.url);
      } catch {
        return Promise.resolve({ ok: false, error: `invalid URL: ${request.url}`, latencyMs: 0 });
      }
      const { origin } = url;
      const dispatcher: Dispatcher = followRedirects ? redirecting : agent;
      return new Promise<SendResult>((resolve) => {
        // One timer for the whole attempt (queue, connect, headers and body together); Node's
        // timers of one duration share a list, so a timer per attempt is cheap.
        const handler = new AttemptHandler(origin, started, timeoutMs, (result) => {
          clearTimeout(deadline);
          resolve(result);
        });
        const deadline = setTimeout(() => handler.expire(), timeoutMs);
        try {
          dispatcher.dispatch(
            {
              origin,
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
  return code === undefined ? message : `${code}: ${message}`;
}
