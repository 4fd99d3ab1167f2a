// The hub's spans go through the OpenTelemetry API only: app/telemetry.ts registers the SDK when
// the OTEL_* variables ask for it (or an operator's own preloaded SDK has registered one).
// Without a registered provider every helper here steps aside before touching the API's no-op
// objects, so that tracing left off costs a property read per span, nothing more.
import {
  INVALID_SPAN_CONTEXT,
  ProxyTracerProvider,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api';

export const TRACER_NAME = 'postback-hub';

/** A span that records nothing, for code that sets attributes whether or not tracing is on. */
export const NO_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** Whether a tracer provider is registered (the API's global one delegates to a real one). */
export function tracingActive(): boolean {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegateTracer(TRACER_NAME) !== undefined;
}

/**
 * Asked for at each span rather than kept: the API's proxy tracer keeps the first real tracer
 * it finds, which would outlive its provider (a hub closed and another started in one process).
 */
export function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/**
 * Runs `run` in a span made active for it (the parent of any span it starts), ended when it
 * settles. A throw marks the span an error and goes on. With tracing off, `run` gets NO_SPAN.
 */
export function inSpan<T>(name: string, options: SpanOptions, run: (span: Span) => Promise<T>): Promise<T> {
  if (!tracingActive()) return run(NO_SPAN);
  return tracer().startActiveSpan(name, options, async (span) => {
    try {
      return await run(span);
    } catch (error) {
      failed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Marks a span failed by an error: its type and message (the hub's messages carry no secrets). */
export function failed(span: Span, error: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  span.setAttribute('error.type', error instanceof Error ? error.name : 'unknown');
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * The active span's context as a W3C `traceparent` value, to be stored with the work it causes
 * later (an event's deliveries, sent by a worker that may be another process); null without one.
 * Only the trace and span ids and the sampled flag: a partner's baggage is not kept.
 */
export function activeTraceparent(): string | null {
  const span = trace.getActiveSpan();
  if (span === undefined) return null;
  const { traceId, spanId, traceFlags } = span.spanContext();
  if (!trace.isSpanContextValid(span.spanContext())) return null;
  return `00-${traceId}-${spanId}-${(traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** A stored `traceparent` (see activeTraceparent) as the parent of a span; the root context if there is none or it is not one. */
export function storedContext(traceparent: string | null | undefined): Context {
  const match = traceparent == null ? null : TRACEPARENT.exec(traceparent);
  if (match === null) return ROOT_CONTEXT;
  const spanContext = { traceId: match[1]!, spanId: match[2]!, traceFlags: Number.parseInt(match[3]!, 16), isRemote: true };
  return trace.isSpanContextValid(spanContext) ? trace.setSpanContext(ROOT_CONTEXT, spanContext) : ROOT_CONTEXT;
}
