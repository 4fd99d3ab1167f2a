import { newId } from '../../lib/ids.js';
import type { InboundRequest, Redactor } from './raw-request.js';
import type { NewEvent } from './events-types.js';

/** An event of which nothing is known yet but where it came from, what it is and when. */
export function blankEvent(source: string, type: string, receivedAt: number, raw: NewEvent['raw'] = null): NewEvent {
  return {
    id: newId(),
    source,
    type,
    externalId: null,
    userId: null,
    offerId: null,
    appPid: null,
    level: null,
    amountMicros: null,
    currency: null,
    clickId: null,
    metadata: {},
    raw,
    receivedAt,
    partner: null,
    linkId: null,
    partnerClickId: null,
    traceContext: null,
  };
}

/**
 * An inbound event before anything is known of it but where it came from: the intakes fill
 * in what they learn, so that even a refused request is recorded with as much as was read.
 */
export function newInboundEvent(
  source: string,
  type: string,
  request: InboundRequest,
  receivedAt: number,
  rawBodyLimit: number,
  redactor: Redactor,
): NewEvent {
  return blankEvent(source, type, receivedAt, redactor.capture(request, rawBodyLimit));
}
