import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_ROUTE } from '@opentelemetry/semantic-conventions';
import type { FastifyRequest } from 'fastify';
import { LEVEL_POSTBACK_SOURCE } from '../features/level-postbacks/level-postbacks-intake.js';
import { PLATFORM_SOURCE } from '../features/platform-events/platform-events-service.js';
import { tracer } from '../lib/tracing.js';
import type { App } from './types.js';

/** Every route through which postbacks come in, and the source its events are recorded under. */
const INTAKES = new Map<string, (request: FastifyRequest) => string>([
  ['GET /postbacks/:slug', slugOf],
  ['POST /postbacks/:slug', slugOf],
  ['POST /api/postback', () => LEVEL_POSTBACK_SOURCE],
  ['POST /api/events', () => PLATFORM_SOURCE],
  ['POST /api/events/batch', () => PLATFORM_SOURCE],
]);

/** The source's slug as routed (not yet validated: cut to a slug's length). */
function slugOf(request: FastifyRequest): string {
  const { slug } = request.params as { slug?: string };
  return (slug ?? '').slice(0, 63);
}

/**
 * A `postback.intake` span (kind SERVER) for every request to an intake route, continuing the
 * partner's trace when it sends a W3C `traceparent`. Started when the request is routed, so that
 * a refusal before the handler (an API secret refused, a body that fails its schema) has its span
 * too; active for the handler, whose recording and attribution spans are its children (the
 * recording adds the event id and outcome: conversions/events-dal.ts); ended with the status the
 * partner got, after the error mapping. Installed only when tracing is on (http/app.ts).
 */
export function traceIntakes(app: App): void {
  const spans = new WeakMap<FastifyRequest, { span: Span; context: Context }>();
  app.addHook('onRequest', (request, _reply, done) => {
    const route = `${request.method} ${request.routeOptions.url}`;
    const source = INTAKES.get(route)?.(request);
    if (source !== undefined) {
      const parent = propagation.extract(ROOT_CONTEXT, request.headers);
      const span = tracer().startSpan(
        'postback.intake',
        { kind: SpanKind.SERVER, attributes: { [ATTR_HTTP_REQUEST_METHOD]: request.method, [ATTR_HTTP_ROUTE]: request.routeOptions.url, 'postback.source': source } },
        parent,
      );
      spans.set(request, { span, context: trace.setSpan(parent, span) });
    }
    done();
  });
  // Fastify calls the handler from this `done`, so the handler runs in the span's context.
  app.addHook('preHandler', (request, _reply, done) => {
    const traced = spans.get(request);
    if (traced === undefined) done();
    else context.with(traced.context, done);
  });
  const end = (request: FastifyRequest, status: number | null): void => {
    const traced = spans.get(request);
    if (traced === undefined) return;
    spans.delete(request);
    if (status === null) traced.span.setStatus({ code: SpanStatusCode.ERROR, message: 'the client went away' });
    else {
      traced.span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
      // A partner's mistake (4xx) is an outcome; only the hub's own failure is an error.
      if (status >= 500) traced.span.setStatus({ code: SpanStatusCode.ERROR });
    }
    traced.span.end();
  };
  app.addHook('onResponse', (request, reply, done) => {
    end(request, reply.statusCode);
    done();
  });
  app.addHook('onRequestAbort', (request, done) => {
    end(request, null);
    done();
  });
}
