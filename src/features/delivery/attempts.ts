// One attempt at a delivery, apart from the loop that runs it: the request built from the event
// and the destination's secrets, the record kept of it (without secrets), and what follows it
// (success, the next try per the destination's policy, failure, a pause).
import type { EventRecord } from '../conversions/events-types.js';
import type { DestinationConfig } from '../destinations/definition.js';
import type { DestinationSecrets } from '../destinations/destinations-service.js';
import { buildRequest, macroValues, type EventFacts, type OutboundRequest, type RequestSecrets } from '../destinations/request.js';
import { isSuccess, nextDelay, parseRetryAfter } from '../destinations/retry-policies.js';
import { newId } from '../../lib/ids.js';
import type { AttemptResult, ClaimedDelivery } from './delivery-types.js';
import type { SendResult } from './sender.js';

/** Headers that must not be kept in the attempt history. */
const SECRET_HEADER = /authorization|signature|secret|token|api-?key/i;

export type OpenedSecrets = { ok: true; secrets: DestinationSecrets } | { ok: false; error: string };

export type BuiltRequest = ReturnType<typeof buildRequest>;

/**
 * The request for a claimed delivery, or why there is none. A fault of the hub's in building it
 * goes to `onFault` and becomes an error like any other, not a throw.
 */
export function deliveryRequest(config: DestinationConfig, secrets: OpenedSecrets, event: EventRecord, deliveryId: string, now: number, onFault: (error: unknown) => void): BuiltRequest {
  try {
    // Secrets this process cannot open (another SECRET_KEY) will not open on a retry either.
    return secrets.ok ? buildRequest(config, requestSecrets(secrets.secrets, now), macroValues(facts(event), deliveryId), deliveryId, Math.floor(now / 1000)) : secrets;
  } catch (error) {
    // A fault of the hub's, not the partner's: recorded as a failed attempt (replayable once
    // mended) rather than left `delivering`, to be claimed and to fail again after every lease.
    onFault(error);
    return { ok: false, error: `the request could not be built: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** What signs a request now: the current secret, and the previous one during its grace period. */
export function requestSecrets(secrets: DestinationSecrets, now: number): RequestSecrets {
  const signingSecrets = [secrets.signingSecret, (secrets.previousUntil ?? 0) > now ? secrets.previousSigningSecret : undefined].filter((s): s is string => s !== undefined);
  return { ...(secrets.bearerToken === undefined ? {} : { bearerToken: secrets.bearerToken }), signingSecrets };
}

export function withoutSecrets(headers: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name in headers) if (!SECRET_HEADER.test(name)) kept[name] = headers[name]!;
  return kept;
}

export function attempt(
  n: number,
  startedAt: number,
  url: string,
  method: string,
  requestHeaders: Record<string, string>,
  status: number | null,
  latencyMs: number,
  responseExcerpt: string | null,
  error: string | null,
): AttemptResult['attempt'] {
  return { id: newId(), attempt: n, startedAt, url, method, requestHeaders, status, latencyMs, responseExcerpt, error };
}

/** The record of a request that was sent, whatever came back. */
export function sentAttempt(n: number, startedAt: number, request: OutboundRequest, result: SendResult): AttemptResult['attempt'] {
  const headers = withoutSecrets(request.headers);
  return result.ok
    ? attempt(n, startedAt, request.url, request.method, headers, result.status, result.latencyMs, result.excerpt, null)
    : attempt(n, startedAt, request.url, request.method, headers, null, result.latencyMs, null, result.error);
}

/** What follows a sent attempt, finished at `finished`: its delivery's next state, and whether it counts (or pauses) as a failure. */
export function afterSend(
  config: DestinationConfig,
  /** The attempt's number in its round (a replay starts a new one): what the retry policy counts. */
  attemptNo: number,
  result: SendResult,
  finished: number,
  random: () => number,
): Pick<AttemptResult, 'next' | 'failed' | 'pauseNow'> {
  if (result.ok && isSuccess(config.success, result.status, result.excerpt)) return { next: { state: 'succeeded' }, failed: false, pauseNow: null };
  const gone = result.ok && result.status === 410;
  const retryAfterSeconds = result.ok && (result.status === 429 || result.status === 503) ? parseRetryAfter(result.retryAfter, finished) : undefined;
  const delay = nextDelay(config.retry, { attempts: attemptNo, random, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) });
  // Gone: the destination is paused and this delivery waits for the resume.
  const next: AttemptResult['next'] = gone ? { state: 'pending', at: finished } : delay === null ? { state: 'failed' } : { state: 'pending', at: finished + delay };
  return { next, failed: true, pauseNow: gone ? '410 Gone' : null };
}

/** Closes a delivery whose event or destination is gone. Cannot happen while events are never deleted; if it does, it is not re-claimed forever. */
export function orphaned(delivery: ClaimedDelivery, now: number, reason: string): AttemptResult {
  return {
    deliveryId: delivery.id,
    destinationId: delivery.destinationId,
    attempt: attempt(delivery.attempts + 1, now, '', '', {}, null, 0, null, reason),
    next: { state: 'failed' },
    failed: false,
    pauseAfterFailures: 1,
    pauseNow: null,
    now,
  };
}

export function outcomeOf(result: AttemptResult): 'succeeded' | 'retry' | 'failed' {
  return result.next.state === 'succeeded' ? 'succeeded' : result.next.state === 'failed' ? 'failed' : 'retry';
}

/** The event as macros see it; the partner's payload from its raw request. */
export function facts(event: EventRecord): EventFacts {
  let payload: Record<string, unknown> = { ...(event.raw?.query ?? {}) };
  if (event.raw?.body) {
    try {
      const body: unknown = JSON.parse(event.raw.body);
      if (typeof body === 'object' && body !== null && !Array.isArray(body)) payload = { ...payload, ...(body as Record<string, unknown>) };
    } catch {
      // not JSON: the query alone
    }
  }
  if (typeof event.metadata.data === 'object' && event.metadata.data !== null) payload = { ...payload, ...(event.metadata.data as Record<string, unknown>) };
  // The fields macros read, not the whole record: no copy of the raw request or the flags per delivery.
  return {
    id: event.id,
    source: event.source,
    type: event.type,
    externalId: event.externalId,
    userId: event.userId,
    offerId: event.offerId,
    clickId: event.clickId,
    partner: event.partner,
    partnerClickId: event.partnerClickId,
    level: event.level,
    coins: event.coins,
    amountMicros: event.amountMicros,
    currency: event.currency,
    receivedAt: event.receivedAt,
    metadata: event.metadata,
    payload,
  };
}

/** The test endpoint's event: what the destination matches on, and plausible values for every macro. */
export function sampleFacts(config: DestinationConfig, now: number): EventFacts {
  return {
    id: newId(),
    source: 'test',
    type: config.match.eventTypes?.[0] ?? 'test',
    externalId: `test-${now}`,
    userId: 'test-user',
    offerId: config.match.offers?.[0] ?? 'test-offer',
    clickId: 'test-click',
    partner: null,
    partnerClickId: null,
    level: 5,
    coins: 25,
    amountMicros: 2_100_000,
    currency: 'USD',
    receivedAt: now,
    metadata: {},
    payload: { user_id: 'test-user', session_id: 'test-session', advertiser_name: 'test-advertiser' },
  };
}
