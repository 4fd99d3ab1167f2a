import type { RewardModifiers, RewardRule } from '../reward-rules.js';
import type { SignatureScheme } from '../signatures.js';

/**
 * What an inbound partner's postbacks look like and how the hub treats them. A preset is a
 * `SourceDefinition` (data, not code); an operator's source is a preset plus overrides, or a
 * `generic` definition written by hand. Everything here is plain JSON, stored with the source.
 */
export interface SourceDefinition {
  /** Where each hub field comes from in the request (query, form or JSON body). */
  fields: FieldMap;
  /** Values for fields the partner does not send. */
  defaults?: { eventType?: string; currency?: string };
  /**
   * What together identifies one postback when the `externalId` field is absent or not mapped
   * (formats without a unique id): input paths, or `$user`, `$offer`, `$level`, `$eventType`,
   * `$clickId` for the mapped hub fields (so overriding a field's path moves the key with it).
   */
  dedupeKey?: FieldPath[];
  /** Users unknown to the hub are created on their first postback, or the postback is refused (404). */
  users?: 'create' | 'must-exist';
  /** Checks that must all pass; an empty list accepts anyone who knows the URL. */
  auth: AuthRule[];
  reversal?: ReversalRule;
  reward: RewardRule;
  modifiers?: RewardModifiers & {
    /** The event is boosted (e.g. loyaltyboost) when this input path holds this value. */
    boostWhen?: { path: string; equals: string };
  };
  answer: AnswerConfig;
}

/** An input path (`user_id`, `payload.user_id`) or alternatives, the first present winning. */
export type FieldPath = string | string[];

export interface FieldMap {
  user: FieldPath;
  externalId?: FieldPath;
  offer?: FieldPath;
  eventType?: FieldPath;
  /** Revenue / payout, a decimal string in `currency`. */
  amount?: FieldPath;
  currency?: FieldPath;
  level?: FieldPath;
  clickId?: FieldPath;
  status?: FieldPath;
  /** The reward the partner states, in whole coins of the app's currency. */
  reward?: FieldPath;
  /** When the partner says the conversion happened (Unix seconds, milliseconds or ISO-8601). */
  timestamp?: FieldPath;
}

export type HubField = keyof FieldMap;

export type AuthRule =
  /** `Authorization: Bearer <source secret>`. */
  | { kind: 'bearer' }
  /** The source secret in a named header. */
  | { kind: 'secret-header'; header: string }
  /** The source secret in a named query parameter. */
  | { kind: 'secret-query'; param: string }
  /** The client address must fall in one of these IPv4/IPv6 CIDR blocks. */
  | { kind: 'ip-allowlist'; cidrs: string[] }
  /** A signature over the request, keyed with the source secret (or a key set). */
  | { kind: 'signature'; scheme: SignatureScheme }
  /** The partner's timestamp must be within `toleranceSeconds` of now (against replays). */
  | { kind: 'timestamp'; path: string; toleranceSeconds: number }
  /** Any one of these (e.g. the secret as a Bearer token or in a header). */
  | { kind: 'any'; rules: AuthRule[] };

/** How a postback says "take back what you credited for transaction X". */
export type ReversalRule =
  | { kind: 'status'; values: string[] }
  | { kind: 'flag'; path: string; value: string }
  | { kind: 'negative-amount' }
  | { kind: 'prefixed-id'; prefix: string };

export interface Answer {
  status: number;
  /** A fixed text or a template with `{event_id}`, `{external_id}`, `{user_id}`, `{coins}`. */
  body: string;
}

/** What the partner gets back. `json` answers the hub's JSON (the default). */
export type AnswerConfig =
  | { format: 'json'; successStatus?: number; duplicateStatus?: number }
  | { format: 'text'; success: Answer; duplicate?: Answer; rejected?: Answer };
