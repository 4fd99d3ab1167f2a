import { propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_SERVER_ADDRESS } from '@opentelemetry/semantic-conventions';
import type { OutboundRequest } from '../destinations/request.js';
import { failed, storedContext, tracer, tracingActive } from '../../lib/tracing.js';
import { outcomeOf } from './attempts.js';
import type { AttemptResult, ClaimedDelivery } from './delivery-types.js';

/**
 * `delivery.attempt` (kind CLIENT): one attempt at a delivery, a child of the intake span that
 * recorded its event (the traceparent stored with the event), so that a postback's trace shows
 * every partner it went to and every retry. `request`, when one was built, gets the span's W3C
 * `traceparent` header through the propagation API. Null, and nothing done, with tracing off.
 */
export function startAttemptSpan(delivery: ClaimedDelivery, destinationId: string, attemptNo: number, request: OutboundRequest | null): Span | null {
  if (!tracingActive()) return null;
  const span = tracer().startSpan(
    'delivery.attempt',
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'delivery.id': delivery.id,
        'delivery.attempt': attemptNo,
        'destination.id': destinationId,
        'postback.event_id': delivery.eventId,
        // The host only: a destination's URL may carry a partner's token in its query.
        ...(request === null ? {} : { [ATTR_HTTP_REQUEST_METHOD]: request.method, [ATTR_SERVER_ADDRESS]: hostOf(request.url) }),
      },
    },
    storedContext(delivery.event?.traceContext),
  );
  // From the span alone: no baggage of anyone's goes to the partner.
  if (request !== null) propagation.inject(trace.setSpan(ROOT_CONTEXT, span), request.headers);
  return span;
}

/** Ends the attempt's span with what came of it: the status, and whether it succeeded, will be retried or failed. */
export function endAttemptSpan(span: Span | null, result: AttemptResult): void {
  if (span === null) return;
  const { attempt } = result;
  span.setAttributes({ 'delivery.outcome': outcomeOf(result), ...(attempt.status === null ? {} : { [ATTR_HTTP_RESPONSE_STATUS_CODE]: attempt.status }) });
  if (result.next.state !== 'succeeded') span.setStatus({ code: SpanStatusCode.ERROR, ...(attempt.error === null ? {} : { message: attempt.error }) });
  span.end();
}

/** Ends the span of an attempt that threw instead of giving a result. */
export function failSpan(span: Span, error: unknown): void {
  failed(span, error);
  span.end();
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}
