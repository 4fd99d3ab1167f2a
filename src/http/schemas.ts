import { Type, type Static, type TSchema } from 'typebox';

// The admin API's shapes: one declaration gives validation, TypeScript types and OpenAPI.

export const ErrorSchema = Type.Object(
  {
    ok: Type.Literal(false),
    error: Type.String({ description: 'Stable error code, e.g. invalid_request, unauthorized, not_found' }),
    message: Type.String(),
    field: Type.Optional(Type.String({ description: 'The input field at fault' })),
  },
  { title: 'Error' },
);

const Time = Type.String({ format: 'date-time' });
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const UserSchema = Type.Object({
  id: Type.String(),
  coins: Type.Integer({ description: 'Balance: the sum of the ledger entries; may be negative after reversals' }),
  appId: Nullable(Type.String()),
  deviceId: Nullable(Type.String()),
  createdAt: Time,
  updatedAt: Time,
}, { title: 'User' });

export const AppSchema = Type.Object({ pid: Type.String(), name: Nullable(Type.String()), createdAt: Time }, { title: 'App' });
export const OfferSchema = Type.Object({ id: Type.String(), name: Nullable(Type.String()), createdAt: Time }, { title: 'Offer' });

export const ApiSecretSchema = Type.Object({
  id: Type.String(),
  name: Nullable(Type.String()),
  prefix: Type.String({ description: 'The first characters of the secret, to tell secrets apart' }),
  createdAt: Time,
  revokedAt: Nullable(Time),
}, { title: 'ApiSecret' });

export const ApiSecretCreatedSchema = Type.Object({
  ...ApiSecretSchema.properties,
  secret: Type.String({ description: 'The secret itself. Shown only in this response: store it now.' }),
}, { title: 'ApiSecretCreated' });

export const LedgerEntrySchema = Type.Object({
  id: Type.String({ description: 'Stable: the same id in the ledger, the credit feed and the trace' }),
  userId: Type.String(),
  eventId: Nullable(Type.String()),
  delta: Type.Integer({ description: 'Whole coins: positive for a credit, negative for a reversal or a debit' }),
  kind: Type.String({ description: 'reward, milestone, reversal or adjustment (the kinds a rule names are passed through)' }),
  reason: Type.String({ description: 'What it was for, in plain words: the offer or game, the partner, the level, the rule and its numbers, what a reversal took back' }),
  exactReward: Nullable(Type.String({ description: "The event's exact reward in coins (a decimal string, e.g. \"0.96\"): whole coins are credited as a user's fractions from a source add up" })),
  source: Nullable(Type.String({ description: 'The source (partner) of the event it came from' })),
  offerId: Nullable(Type.String()),
  note: Nullable(Type.String({ description: "A manual adjustment's reason" })),
  createdAt: Time,
}, { title: 'LedgerEntry' });

function ReviewSchema() {
  return Type.Union([Type.Literal('flagged'), Type.Literal('held'), Type.Literal('approved'), Type.Literal('rejected')], {
    description: 'Fraud review: flagged (credited anyway), held (waits for an operator), approved, rejected',
  });
}
export const ReviewStateSchema = ReviewSchema();

export const EventOutcomeSchema = Type.Union([Type.Literal('accepted'), Type.Literal('duplicate'), Type.Literal('rejected')]);

export const EventSchema = Type.Object({
  id: Type.String(),
  source: Type.String(),
  type: Type.String(),
  outcome: EventOutcomeSchema,
  reason: Nullable(Type.String({ description: 'Why it was rejected: a stable code' })),
  detail: Nullable(Type.String({ description: 'Why it was rejected, in words' })),
  externalId: Nullable(Type.String()),
  duplicateOf: Nullable(Type.String()),
  userId: Nullable(Type.String()),
  offerId: Nullable(Type.String()),
  appPid: Nullable(Type.String()),
  level: Nullable(Type.Integer()),
  coins: Type.Integer({ description: "Whole coins this event moved the user's balance by" }),
  exactReward: Nullable(Type.String({ description: 'The exact reward credited, in coins (a decimal string, e.g. "0.96"); its fraction is carried with the user\'s others from this source' })),
  amount: Nullable(Type.String({ description: 'Decimal string' })),
  currency: Nullable(Type.String()),
  clickId: Nullable(Type.String({ description: "The hub's click id the event is attributed to" })),
  partner: Nullable(Type.String({ description: 'The partner whose traffic it was (attribution)' })),
  linkId: Nullable(Type.String()),
  partnerClickId: Nullable(Type.String({ description: "The partner's own click id, sent back in its postback" })),
  flags: Type.Array(Type.Object({ check: Type.String(), action: Type.Union([Type.Literal('flag'), Type.Literal('hold')]), detail: Type.String() }), {
    description: 'Fraud-check findings',
  }),
  review: Nullable(ReviewSchema()),
  test: Type.Boolean({ description: 'A test postback sent from the dashboard: it credited nobody, and reports, stats and traces leave it out' }),
  metadata: Type.Record(Type.String(), Type.Unknown()),
  raw: Nullable(
    Type.Object({
      method: Type.String(),
      path: Type.String(),
      query: Type.Record(Type.String(), Type.Unknown()),
      headers: Type.Record(Type.String(), Type.String()),
      ip: Type.String(),
      body: Nullable(Type.String()),
      bodyTruncated: Type.Boolean(),
    }),
  ),
  receivedAt: Time,
}, { title: 'Event' });

export const DeliverySchema = Type.Object({
  id: Type.String({ description: 'Also the idempotency id sent with every attempt (webhook-id)' }),
  eventId: Type.String(),
  destinationId: Type.String(),
  state: Type.Union([Type.Literal('pending'), Type.Literal('delivering'), Type.Literal('succeeded'), Type.Literal('failed')]),
  attempts: Type.Integer({ description: 'Attempts made, across replays: the history numbers them on (1, 2, 3), and a replay gives the retry policy a new round' }),
  nextAttemptAt: Nullable(Time),
  lastStatus: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
  createdAt: Time,
  updatedAt: Time,
}, { title: 'Delivery' });

export const AttemptSchema = Type.Object({
  attempt: Type.Integer(),
  startedAt: Time,
  url: Type.String(),
  method: Type.String(),
  requestHeaders: Type.Record(Type.String(), Type.String()),
  status: Nullable(Type.Integer()),
  latencyMs: Nullable(Type.Integer()),
  responseExcerpt: Nullable(Type.String()),
  error: Nullable(Type.String()),
}, { title: 'Attempt' });

export const AppKeyScopeSchema = Type.Union(
  [Type.Literal('balances:read'), Type.Literal('feed:read'), Type.Literal('feed:ack'), Type.Literal('traces:read')],
  { description: "balances:read (balances and ledgers), feed:read, feed:ack (the credit feed), traces:read (\"where is my reward?\")" },
);

export const AppKeySchema = Type.Object({
  id: Type.String(),
  appPid: Type.String(),
  name: Nullable(Type.String()),
  prefix: Type.String({ description: 'The first characters of the key, to tell keys apart' }),
  scopes: Type.Array(AppKeyScopeSchema),
  createdAt: Time,
  lastUsedAt: Nullable(Time),
  revokedAt: Nullable(Time),
}, { title: 'AppKey' });

export const AppKeyCreatedSchema = Type.Object({
  ...AppKeySchema.properties,
  key: Type.String({ description: 'The key itself. Shown only in this response: store it now.' }),
}, { title: 'AppKeyCreated' });

export const BalanceSchema = Type.Object({
  userId: Type.String(),
  coins: Type.Integer({ description: 'The balance in whole coins: the sum of the ledger entries' }),
  carried: Type.Array(
    Type.Object({ source: Type.String(), partner: Type.String(), fraction: Type.String({ description: 'Decimal coins below one, e.g. "0.96"' }) }),
    { description: 'The fraction of a coin each source has left over, credited as soon as it adds up to a whole coin' },
  ),
  updatedAt: Time,
}, { title: 'Balance' });

export const FeedEntrySchema = Type.Object({
  ...LedgerEntrySchema.properties,
  position: Type.String({ description: 'Where this entry is in the feed: pass as `cursor` to read after it, or as `upTo` to acknowledge up to it' }),
}, { title: 'FeedEntry' });

export const TraceSchema = Type.Object({
  userId: Type.String(),
  coins: Type.Integer({ description: "The user's balance now" }),
  status: Type.Object({
    state: Type.Union(
      [Type.Literal('credited'), Type.Literal('waiting'), Type.Literal('held'), Type.Literal('rejected'), Type.Literal('reversed'), Type.Literal('no_reward'), Type.Literal('adjusted'), Type.Literal('nothing_yet')],
      { description: 'credited; waiting (for the partner); held (for review); rejected; reversed; no_reward (recorded, the rule gives nothing); adjusted (by hand, no postback); nothing_yet' },
    ),
    message: Type.String({ description: 'One sentence an app can show its user' }),
  }),
  steps: Type.Array(
    Type.Object({
      at: Time,
      kind: Type.Union([Type.Literal('click'), Type.Literal('postback'), Type.Literal('goal'), Type.Literal('credit'), Type.Literal('reversal'), Type.Literal('adjustment'), Type.Literal('review')]),
      text: Type.String(),
      clickId: Type.Optional(Type.String()),
      eventId: Type.Optional(Type.String()),
      entryId: Type.Optional(Type.String()),
    }),
    { description: 'Oldest first: clicks, postbacks and what became of them, the rule, ledger entries, review decisions, reversals' },
  ),
}, { title: 'Trace' });

export const TraceQuery = Type.Object({
  offer: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'One offer or game' })),
  transaction: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "The partner's transaction id (the postback's external id)" })),
  source: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'One partner (source slug)' })),
});

export function PageSchema<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    nextCursor: Nullable(Type.String({ description: 'Pass as `cursor` for the next page' })),
  });
}

export const ListQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
});
export type ListQuery = Static<typeof ListQuery>;

export const IdText = Type.String({ minLength: 1, maxLength: 128 });
export const NameText = Nullable(Type.String({ maxLength: 200 }));

/** A CSV export's answer, for the document (a stream: never serialized through it). */
export const CsvAnswer = { description: 'CSV, a header line first; cells that could start a formula are neutralised', content: { 'text/csv': { schema: { type: 'string' } } } };
