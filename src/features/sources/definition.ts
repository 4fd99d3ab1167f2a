import { Type, type Static } from 'typebox';

/**
 * What an inbound partner's postbacks look like and how the hub treats them. A preset is a
 * `SourceDefinition` (data, not code); an operator's source is a preset plus overrides, or a
 * `generic` definition written by hand. One TypeBox declaration gives the TypeScript types,
 * the validation of what operators send, and the OpenAPI document.
 */

/** An input path (`user_id`, `payload.user_id`) or alternatives, the first present winning. */
export const FieldPathSchema = Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 10 })], { title: 'FieldPath' });
export type FieldPath = Static<typeof FieldPathSchema>;

const Path = Type.Optional(FieldPathSchema);

export const FieldMapSchema = Type.Object(
  {
    user: FieldPathSchema,
    externalId: Path,
    offer: Path,
    eventType: Path,
    amount: Type.Optional(Type.Union([FieldPathSchema], { description: 'Revenue / payout: a decimal string in `currency`' })),
    currency: Path,
    level: Path,
    clickId: Path,
    status: Path,
    reward: Type.Optional(Type.Union([FieldPathSchema], { description: 'The reward the partner states, in whole coins' })),
    timestamp: Type.Optional(Type.Union([FieldPathSchema], { description: 'Unix seconds, milliseconds or ISO-8601' })),
  },
  { additionalProperties: false, description: 'Where each hub field comes from in the request (query, form or JSON body)' },
);
export type FieldMap = Static<typeof FieldMapSchema>;
export type HubField = keyof FieldMap;

const Algorithm = Type.Union([Type.Literal('md5'), Type.Literal('sha1'), Type.Literal('sha256'), Type.Literal('sha512')]);
const Encoding = Type.Union([Type.Literal('hex'), Type.Literal('base64'), Type.Literal('base64url')]);
const Name = Type.String({ minLength: 1, maxLength: 200 });

export const SignatureSchemeSchema = Type.Union([
  Type.Object(
    {
      kind: Type.Union([Type.Literal('hmac'), Type.Literal('digest')]),
      algorithm: Algorithm,
      encoding: Encoding,
      location: Type.Union([Type.Object({ header: Name }), Type.Object({ query: Name }), Type.Object({ field: Name })]),
      message: Type.Union([
        Type.Object({ kind: Type.Literal('url-without-signature'), baseUrl: Type.Optional(Type.String({ format: 'uri' })) }),
        Type.Object({
          kind: Type.Literal('sorted-query'),
          join: Type.Optional(Type.String({ maxLength: 10 })),
          valuesOnly: Type.Optional(Type.Boolean()),
          exclude: Type.Optional(Type.Array(Name)),
          encode: Type.Optional(Type.Literal('php-urlencode')),
          params: Type.Optional(
            Type.Array(Name, {
              minItems: 1,
              maxItems: 100,
              description: "Only these parameters are signed (those present), in this order instead of sorted: a partner's own placeholders, not the publisher's parameters",
            }),
          ),
          skipEmpty: Type.Optional(Type.Boolean({ description: 'Parameters with an empty value are left out of the message' })),
          keepEmpty: Type.Optional(Type.Array(Name, { maxItems: 100, description: 'With skipEmpty: these parameters are signed even when empty' })),
        }),
        Type.Object({ kind: Type.Literal('raw-body') }),
        Type.Object({ kind: Type.Literal('template'), template: Type.String({ minLength: 1, maxLength: 1000 }) }),
      ]),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('ecdsa-p256'),
      keys: Type.Record(Type.String(), Type.String({ minLength: 1 }), { description: 'key id → public key (PEM or base64 DER SPKI)' }),
      signatureParam: Type.Optional(Name),
      keyIdParam: Type.Optional(Name),
    },
    { additionalProperties: false },
  ),
]);

const LeafAuthRuleSchema = Type.Union([
  Type.Object({ kind: Type.Literal('bearer') }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('secret-header'), header: Name }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('secret-query'), param: Name }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('ip-allowlist'), cidrs: Type.Array(Type.String({ minLength: 2, maxLength: 50 }), { minItems: 1 }) }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('signature'), scheme: SignatureSchemeSchema }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('timestamp'), path: Name, toleranceSeconds: Type.Integer({ minimum: 1, maximum: 31_536_000 }) }, { additionalProperties: false }),
]);

export const AuthRuleSchema = Type.Union([
  LeafAuthRuleSchema,
  Type.Object({ kind: Type.Literal('any'), rules: Type.Array(LeafAuthRuleSchema, { minItems: 1 }) }, { additionalProperties: false }),
]);
export type AuthRule = Static<typeof AuthRuleSchema>;

/** Where the reversed postback's id is, when not in the reversal's own external id (e.g. `ref`). */
const Original = Type.Optional(Type.Union([FieldPathSchema], { description: "Path of the original postback's id; default: this postback's own id" }));

export const ReversalRuleSchema = Type.Union([
  Type.Object({ kind: Type.Literal('status'), values: Type.Array(Type.String(), { minItems: 1 }), original: Original }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('flag'), path: Name, value: Type.String(), original: Original }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('negative-amount'), original: Original }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('prefixed-id'), prefix: Type.String({ minLength: 1, maxLength: 20 }) }, { additionalProperties: false }),
]);
export type ReversalRule = Static<typeof ReversalRuleSchema>;

const Coins = Type.Integer({ minimum: 0, maximum: 1_000_000_000 });
const Bps = Type.Integer({ minimum: 0, maximum: 10_000 });

export const RewardRuleSchema = Type.Union([
  Type.Object(
    {
      kind: Type.Literal('milestones'),
      table: Type.Object({
        every: Type.Integer({ minimum: 1 }),
        brackets: Type.Array(Type.Object({ upTo: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]), coins: Coins }), { minItems: 1 }),
      }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { kind: Type.Literal('revenue-share'), coinsPerUsd: Coins, shareBps: Bps, bufferBps: Bps },
    { additionalProperties: false, description: 'coins = USD × coinsPerUsd × share × (1 − buffer), rounded down; shares in basis points' },
  ),
  Type.Object(
    { kind: Type.Literal('fixed'), coins: Coins, byEventType: Type.Optional(Type.Record(Type.String(), Coins)), byOffer: Type.Optional(Type.Record(Type.String(), Coins)) },
    { additionalProperties: false },
  ),
  Type.Object({ kind: Type.Literal('partner-amount') }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('none') }, { additionalProperties: false }),
]);

export const ModifiersSchema = Type.Object(
  {
    boostBps: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'Multiplier for boosted events, in basis points (20000 = ×2)' })),
    dailyCap: Type.Optional(Coins),
    boostWhen: Type.Optional(Type.Object({ path: Name, equals: Type.String() })),
  },
  { additionalProperties: false },
);

const AnswerSchema = Type.Object(
  {
    status: Type.Integer({ minimum: 200, maximum: 599 }),
    body: Type.String({ maxLength: 1000, description: 'Text; may use {event_id}, {external_id}, {user_id}, {coins}' }),
  },
  { additionalProperties: false },
);
export type Answer = Static<typeof AnswerSchema>;

const ByReason = <T extends Parameters<typeof Type.Record>[1]>(value: T) =>
  Type.Optional(
    Type.Record(Type.String({ pattern: '^[a-z_]+$' }), value, {
      description: 'Per rejection reason (unauthorized, invalid_request, invalid_json, unsupported_media_type, user_not_found, original_not_found, source_disabled)',
    }),
  );

export const AnswerConfigSchema = Type.Union([
  Type.Object(
    {
      format: Type.Literal('json'),
      successStatus: Type.Optional(Type.Integer({ minimum: 200, maximum: 299 })),
      duplicateStatus: Type.Optional(Type.Integer({ minimum: 200, maximum: 299 })),
      rejectedStatus: ByReason(Type.Integer({ minimum: 200, maximum: 599 })),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      format: Type.Literal('text'),
      success: AnswerSchema,
      duplicate: Type.Optional(AnswerSchema),
      rejected: Type.Optional(AnswerSchema),
      rejectedBy: ByReason(AnswerSchema),
    },
    { additionalProperties: false },
  ),
]);
export type AnswerConfig = Static<typeof AnswerConfigSchema>;

export const SourceDefinitionSchema = Type.Object(
  {
    fields: FieldMapSchema,
    defaults: Type.Optional(
      Type.Object({ eventType: Type.Optional(Type.String({ minLength: 1 })), currency: Type.Optional(Type.String({ pattern: '^[A-Za-z]{3}$' })) }, { additionalProperties: false }),
    ),
    dedupeKey: Type.Optional(
      Type.Array(FieldPathSchema, {
        minItems: 1,
        description:
          'Identifies a postback when the externalId field is absent: input paths, or $user, $offer, $level, $eventType, $clickId. A path written `?path` is optional: absent, it adds an empty part',
      }),
    ),
    keep: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' }), FieldPathSchema, {
        description: "Other fields kept with the event as its data, by the name given (e.g. MomentScience's advertiser_name): shown with the event, and `{name}` in destinations' templates",
      }),
    ),
    users: Type.Optional(Type.Union([Type.Literal('create'), Type.Literal('must-exist')])),
    /** The unit of the `amount` field: whole currency units (default) or cents (Pollfish's `cpa`). */
    amountUnit: Type.Optional(Type.Union([Type.Literal('unit'), Type.Literal('cent')])),
    auth: Type.Array(AuthRuleSchema, { description: 'All must pass; `any` for alternatives' }),
    reversal: Type.Optional(ReversalRuleSchema),
    reward: RewardRuleSchema,
    modifiers: Type.Optional(ModifiersSchema),
    /** USD per unit of each other currency, as decimal strings ("1.08" for EUR). */
    usdRates: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Z]{3}$' }), Type.String({ pattern: '^\\d{1,9}(\\.\\d{1,6})?$' }))),
    answer: AnswerConfigSchema,
  },
  { additionalProperties: false, title: 'SourceDefinition' },
);
export type SourceDefinition = Static<typeof SourceDefinitionSchema>;

/** What an operator may override: any top-level part of the definition. */
export const SourceOverridesSchema = Type.Partial(SourceDefinitionSchema, { additionalProperties: false });
export type SourceOverrides = Static<typeof SourceOverridesSchema>;
