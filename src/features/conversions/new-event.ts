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
    test: false,
  };
}

/**
 * The de-duplication key an event is recorded under: a test postback's is its own (`test:`), so
 * that a test never takes a real postback's id (the real one would then be refused as its
 * duplicate), nor is refused as a duplicate of a real one; tests still de-duplicate among
 * themselves, so sending the same test twice shows what a partner's retry would get.
 */
export function dedupeKeyOf<K extends string | null>(event: Pick<NewEvent, 'test'>, key: K): K {
  return (event.test && key !== null ? `test:${key}` : key) as K;
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
