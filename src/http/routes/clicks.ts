import type { IncomingMessage, ServerResponse } from 'node:http';
import { SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE } from '@opentelemetry/semantic-conventions';
import type { ClickOutcome, ClickService } from '../../features/clicks/clicks-service.js';
import { tracer, tracingActive } from '../../lib/tracing.js';

export interface ClickPathDeps {
  clicks: Pick<ClickService, 'click'>;
  /** Behind a reverse proxy: the client is the first X-Forwarded-For address. */
  trustProxy: boolean;
  onClick: (outcome: 'redirect' | 'not_found' | 'invalid' | 'error') => void;
  onError: (error: unknown) => void;
}

const PREFIX = '/c/';

/**
 * `GET /c/:link`: records a click and redirects (302). Clicks come from partners' users in
 * bursts, and the redirect is all they wait for, so this one path is served before the
 * framework: no routing, hooks or schema, only the click. Answers `true` if it took the
 * request; everything else goes on to Fastify. The clicks table is its log.
 */
export type ClickPath = ((request: IncomingMessage, response: ServerResponse) => boolean) & { close(): void };

export function clickPath(deps: ClickPathDeps): ClickPath {
  let closing = false;
  // Decided once, when the HTTP app is built: with tracing off a click makes no span object at all.
  const traced = tracingActive();
  const handle = (request: IncomingMessage, response: ServerResponse): boolean => {
    const url = request.url ?? '';
    if (!url.startsWith(PREFIX) || (request.method !== 'GET' && request.method !== 'HEAD')) return false;
    if (closing) {
      page(response, 503, 'Try again', 'The service is restarting; please try again in a moment.');
      return true;
    }
    const q = url.indexOf('?');
    let linkId: string;
    try {
      linkId = decodeURIComponent(url.slice(PREFIX.length, q === -1 ? undefined : q));
    } catch {
      linkId = '';
    }
    // No prototype: a parameter named `__proto__` or `constructor` is just a parameter. The first of a repeated one counts.
    const query: Record<string, string> = Object.create(null) as Record<string, string>;
    if (q !== -1) for (const [key, value] of new URLSearchParams(url.slice(q + 1))) if (!Object.hasOwn(query, key)) query[key] = value;
    const forwarded = deps.trustProxy ? header(request, 'x-forwarded-for') : null;
    const ip = (forwarded === null ? undefined : forwarded.split(',')[0]!.trim()) ?? request.socket.remoteAddress ?? '';
    const span = traced ? clickSpan(request.method, linkId) : null;
    const answer = (outcome: ClickOutcome): void => {
      // Whatever goes wrong in answering stays with this request: a throw here would otherwise
      // end the process (this runs outside the framework's error handling).
      try {
        if (span !== null) endClickSpan(span, outcome.kind, outcome.kind === 'redirect' ? 302 : outcome.kind === 'not_found' ? 404 : 400);
        deps.onClick(outcome.kind);
        if (outcome.kind === 'redirect') {
          response.writeHead(302, { location: outcome.location, 'cache-control': 'no-store', 'content-length': 0 });
          response.end();
        } else if (outcome.kind === 'not_found') page(response, 404, 'Link not found', 'This link does not exist or is no longer active.');
        else page(response, 400, 'Link incomplete', outcome.message);
      } catch (error) {
        deps.onError(error);
        if (!response.headersSent) page(response, 500, 'Link broken', 'This link cannot be opened.');
        else response.destroy();
      }
    };
    const fail = (error: unknown): void => {
      // The link could not be read (the store is down): nothing to redirect to.
      if (span !== null) endClickSpan(span, 'error', 503);
      deps.onClick('error');
      deps.onError(error);
      page(response, 503, 'Try again', 'The link cannot be opened right now; please try again in a moment.');
    };
    // Synchronous when the link is cached; a promise when it had to be read.
    let outcome: ClickOutcome | Promise<ClickOutcome>;
    try {
      outcome = deps.clicks.click(linkId, query, ip, header(request, 'user-agent'));
    } catch (error) {
      fail(error);
      return true;
    }
    if (outcome instanceof Promise) outcome.then(answer, fail);
    else answer(outcome);
    return true;
  };
  return Object.assign(handle, {
    /** New clicks are refused from now on: the ones handed out can all be written before the store closes. */
    close: () => void (closing = true),
  });
}

/** `click` (kind SERVER): one click on a tracking link, from its arrival to its answer; the click itself is written behind it. */
function clickSpan(method: string | undefined, linkId: string): Span {
  return tracer().startSpan('click', { kind: SpanKind.SERVER, attributes: { [ATTR_HTTP_REQUEST_METHOD]: method ?? 'GET', 'click.link_id': linkId.slice(0, 100) } });
}

function endClickSpan(span: Span, outcome: string, status: number): void {
  span.setAttributes({ 'click.outcome': outcome, [ATTR_HTTP_RESPONSE_STATUS_CODE]: status });
  if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}

/**
 * One request header, first of its name, from the raw list: `request.headers` would build an
 * object of all of them for the one or two this path reads.
 */
function header(request: IncomingMessage, lowerCaseName: string): string | null {
  const raw = request.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === lowerCaseName.length && name.toLowerCase() === lowerCaseName) return raw[i + 1]!;
  }
  return null;
}

function page(response: ServerResponse, status: number, title: string, text: string): void {
  const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)}</title></head><body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem"><h1>${escape(title)}</h1><p>${escape(text)}</p></body></html>`;
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}
