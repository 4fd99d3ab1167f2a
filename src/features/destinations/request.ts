import { formatMicros } from '../../lib/money.js';
import { renderMacros } from '../../lib/macros.js';
import { bodyHmac, standardWebhookHeaders } from './webhook-signing.js';
import type { DestinationConfig } from './definition.js';
import type { EventRecord } from '../conversions/events-types.js';

/** The facts of an event that macros can use. */
export type EventFacts = Pick<
  EventRecord,
  'id' | 'source' | 'type' | 'externalId' | 'userId' | 'offerId' | 'clickId' | 'partner' | 'partnerClickId' | 'level' | 'coins' | 'amountMicros' | 'currency' | 'receivedAt' | 'metadata'
> & {
  /** The partner's payload (body object or query), for `{payload.key}` and bare `{key}` macros. */
  payload: Record<string, unknown>;
};

export interface OutboundRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body: string | undefined;
}

/**
 * Macro values: the hub's fields (snake_case, and the camelCase spelling partners such as GG3
 * use) and every key of the partner's payload, as `{payload.key}` and, where no hub field has
 * the name, as a bare `{key}`; a nested key also by its own name (MomentScience's "{any
 * payload key}": `{session_id}` for `payload.session_id`), where no shallower key has it.
 */
export function macroValues(event: EventFacts, deliveryId: string): Record<string, string> {
  const amount = event.amountMicros === null ? '' : formatMicros(event.amountMicros);
  const partnerBoost = event.payload.is_loyaltyboost;
  const recorded = new Date(event.receivedAt).toISOString();
  // The hub's own fields first, as one literal (no copy of every value per delivery); the
  // payload's keys go in after them, a bare key only where no hub field has its name.
  const values: Record<string, string> = {
    event_id: event.id,
    event: event.type,
    event_type: event.type,
    source: event.source,
    user_id: event.userId ?? '',
    userId: event.userId ?? '',
    // A partner knows its own click id, not the hub's: when the click carried one, that is
    // what `{click_id}` sends back; `{hub_click_id}` is always the hub's.
    click_id: event.partnerClickId ?? event.clickId ?? '',
    clickId: event.partnerClickId ?? event.clickId ?? '',
    hub_click_id: event.clickId ?? '',
    partner: event.partner ?? '',
    partner_click_id: event.partnerClickId ?? '',
    transaction_id: event.externalId ?? '',
    external_id: event.externalId ?? '',
    offer_id: event.offerId ?? '',
    // MomentScience's postback history columns: the advertiser as the partner named it (a kept field, or its payload).
    advertiser_name: typeof event.payload.advertiser_name === 'string' ? event.payload.advertiser_name : '',
    payout: amount,
    amount,
    currency: event.currency ?? '',
    level: event.level === null ? '' : String(event.level),
    coins: String(event.coins),
    // When the hub recorded the event; `{occurred_at}` is when the partner or platform says it happened.
    timestamp: recorded,
    occurred_at: occurredAt(event.metadata) ?? recorded,
    // Boosted by the source's rule, or marked so by whoever sent the event.
    is_loyaltyboost: event.metadata.boosted === true || partnerBoost === '1' || partnerBoost === 1 || partnerBoost === true || partnerBoost === 'true' ? '1' : '0',
    delivery_id: deliveryId,
  };
  const payload: Record<string, string> = {};
  flatten(event.payload, 'payload', payload);
  let nested: Array<[string, string]> | null = null;
  for (const [key, value] of Object.entries(payload)) {
    values[key] = value;
    const bare = key.slice('payload.'.length);
    values[bare] ??= value;
    if (bare.includes('.')) (nested ??= []).push([bare, value]);
  }
  if (nested === null) return values;
  // Shallower first, so `a.b.c` gives `c` only when neither a top-level `c` nor an `x.c` did.
  nested.sort((x, y) => depth(x[0]) - depth(y[0]));
  for (const [bare, value] of nested) values[bare.slice(bare.lastIndexOf('.') + 1)] ??= value;
  return values;
}

const depth = (path: string): number => path.split('.').length;

/** When the partner (`partnerTime`) or the platform (`occurredAt`) says the event happened; null when neither did. */
function occurredAt(metadata: Record<string, unknown>): string | null {
  for (const key of ['partnerTime', 'occurredAt'] as const) {
    const text = metadata[key];
    if (typeof text === 'string' && !Number.isNaN(Date.parse(text))) return new Date(text).toISOString();
  }
  return null;
}

/** The names `macroValues` gives every event, whatever its payload. */
export const HUB_MACROS: ReadonlySet<string> = new Set(
  Object.keys(
    macroValues(
      { id: '', source: '', type: '', externalId: null, userId: null, offerId: null, clickId: null, partner: null, partnerClickId: null, level: null, coins: 0, amountMicros: null, currency: null, receivedAt: 0, metadata: {}, payload: {} },
      '',
    ),
  ),
);

function flatten(value: unknown, prefix: string, into: Record<string, string>): void {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') into[prefix] = String(value);
  else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) flatten(inner, `${prefix}.${key}`, into);
  }
}

export interface RequestSecrets {
  bearerToken?: string;
  /** Current first; the previous one too during a rotation's grace period. */
  signingSecrets: string[];
}

/**
 * The HTTP request for one attempt. The delivery id is the idempotency id of every attempt
 * (`Idempotency-Key`, and `webhook-id` when signed), so a receiver can drop repeats.
 */
export function buildRequest(
  config: DestinationConfig,
  secrets: RequestSecrets,
  values: Record<string, string>,
  deliveryId: string,
  nowSeconds: number,
): { ok: true; request: OutboundRequest } | { ok: false; error: string } {
  const url = renderMacros(config.url, values, 'url', config.unknownMacros);
  if (!url.ok) return { ok: false, error: `unknown macros in the URL: ${url.unknown.join(', ')}` };
  let body: string | undefined;
  if (config.method === 'POST' && config.body !== undefined) {
    const rendered = renderMacros(config.body, values, 'json', config.unknownMacros);
    if (!rendered.ok) return { ok: false, error: `unknown macros in the body: ${rendered.unknown.join(', ')}` };
    body = rendered.text;
  }
  const headers: Record<string, string> = { 'user-agent': 'postback-hub', 'idempotency-key': deliveryId };
  for (const [name, template] of Object.entries(config.headers ?? {})) {
    const rendered = renderMacros(template, values, 'none', config.unknownMacros);
    if (!rendered.ok) return { ok: false, error: `unknown macros in header ${name}: ${rendered.unknown.join(', ')}` };
    headers[name.toLowerCase()] = rendered.text;
  }
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  if (secrets.bearerToken !== undefined) headers.authorization = `Bearer ${secrets.bearerToken}`;
  const signed = body ?? '';
  if (config.signing?.kind === 'standard-webhooks' && secrets.signingSecrets.length > 0) {
    Object.assign(headers, standardWebhookHeaders(deliveryId, nowSeconds, signed, secrets.signingSecrets));
  } else if (config.signing?.kind === 'hmac-header' && secrets.signingSecrets[0] !== undefined) {
    headers[config.signing.header.toLowerCase()] = bodyHmac(signed, secrets.signingSecrets[0], config.signing.algorithm);
  }
  return { ok: true, request: { url: url.text, method: config.method, headers, body } };
}
