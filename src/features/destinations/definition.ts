import { Type, type Static } from 'typebox';
import type { EventRecord } from '../conversions/events-types.js';

/**
 * An outbound partner endpoint: where and how to send, which events it wants, how to sign,
 * retry and judge success. One TypeBox declaration: types, validation, OpenAPI.
 */

const Ms = (min: number, max: number) => Type.Integer({ minimum: min, maximum: max });

/** The longest `timeoutMs` a destination may set: a delivery lease must outlast it (`delivery/lease.ts`). */
export const MAX_DESTINATION_TIMEOUT_MS = 60_000;

export const RetryPolicySchema = Type.Union([
  Type.Object({ kind: Type.Literal('linear'), intervalMs: Ms(1000, 86_400_000), resends: Type.Integer({ minimum: 0, maximum: 100 }) }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('schedule'), delaysMs: Type.Array(Ms(0, 86_400_000), { minItems: 1, maxItems: 100 }) }, { additionalProperties: false }),
  Type.Object(
    { kind: Type.Literal('exponential'), baseMs: Ms(100, 86_400_000), capMs: Ms(100, 86_400_000), maxAttempts: Type.Integer({ minimum: 1, maximum: 100 }), jitter: Type.Boolean() },
    { additionalProperties: false },
  ),
]);

export const SuccessRuleSchema = Type.Union([
  Type.Object({ kind: Type.Literal('2xx') }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('status'), status: Type.Integer({ minimum: 100, maximum: 599 }) }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('body'), equals: Type.String({ maxLength: 200 }) }, { additionalProperties: false }),
]);

export const SigningSchema = Type.Union([
  Type.Object({ kind: Type.Literal('standard-webhooks') }, { additionalProperties: false, description: 'webhook-id, webhook-timestamp, webhook-signature (whsec_ secret)' }),
  Type.Object(
    { kind: Type.Literal('hmac-header'), header: Type.String({ minLength: 1, maxLength: 100 }), algorithm: Type.Union([Type.Literal('sha1'), Type.Literal('sha256'), Type.Literal('sha512')]) },
    { additionalProperties: false, description: 'hex HMAC of the body in a named header' },
  ),
]);

const Names = Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { minItems: 1, maxItems: 100 }));

export const DestinationConfigSchema = Type.Object(
  {
    url: Type.String({ minLength: 8, maxLength: 4000, pattern: '^https?://', description: 'URL template with {macros}, values URL-encoded' }),
    method: Type.Union([Type.Literal('GET'), Type.Literal('POST')]),
    body: Type.Optional(Type.String({ maxLength: 16_000, description: 'JSON body template with {macros}, values JSON-escaped (POST)' })),
    headers: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z0-9-]{1,100}$' }), Type.String({ maxLength: 1000 }))),
    /** Which events it wants; an absent list matches all. */
    match: Type.Object(
      {
        eventTypes: Names,
        sources: Names,
        offers: Names,
        // Events attributed to these partners' traffic (through their tracking links).
        partners: Names,
        // Completed goals (events of type `goal`) of these goal ids.
        goals: Names,
      },
      { additionalProperties: false },
    ),
    unknownMacros: Type.Union([Type.Literal('empty'), Type.Literal('keep'), Type.Literal('error')]),
    retry: RetryPolicySchema,
    success: SuccessRuleSchema,
    timeoutMs: Ms(100, MAX_DESTINATION_TIMEOUT_MS),
    followRedirects: Type.Boolean(),
    signing: Type.Optional(SigningSchema),
    /** Pause after this many consecutive failed attempts (and on 410 Gone); 0: never for failures. */
    pauseAfterFailures: Type.Integer({ minimum: 0, maximum: 10_000, description: 'Pause after this many consecutive failed attempts (and on 410 Gone); 0 never pauses for failures' }),
    /** At most this many requests at once (per worker process; 64 when not set). */
    maxConcurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    /** At most this many requests started per second (per worker process). */
    ratePerSecond: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
  },
  { additionalProperties: false, title: 'DestinationConfig' },
);
export type DestinationConfig = Static<typeof DestinationConfigSchema>;

/** The facts of an event a destination is matched against. */
/** What a destination matches an event on; `goal`: a goal's own event names its goal. */
export type MatchableEvent = Pick<EventRecord, 'type' | 'source' | 'offerId' | 'partner'> & { goal?: string | null };

export function wants(config: Pick<DestinationConfig, 'match'>, event: MatchableEvent): boolean {
  const { eventTypes, sources, offers, partners, goals } = config.match;
  if (goals !== undefined && (event.goal == null || !goals.includes(event.goal))) return false;
  if (eventTypes !== undefined && !eventTypes.includes(event.type)) return false;
  if (sources !== undefined && !sources.includes(event.source)) return false;
  if (offers !== undefined && (event.offerId === null || !offers.includes(event.offerId))) return false;
  if (partners !== undefined && (event.partner === null || !partners.includes(event.partner))) return false;
  return true;
}
