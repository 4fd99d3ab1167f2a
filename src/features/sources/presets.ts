import { LEVEL_POSTBACK_MILESTONES } from '../level-postbacks/milestones.js';
import type { SourceDefinition } from './definition.js';

/**
 * Built-in source definitions, one per wire format, as plain data over the generic machinery.
 * An operator's source names a preset and may override any part of it (a shallow merge per
 * top-level key: e.g. `fields`, `auth`, `reward`). Business numbers (coins per USD, shares,
 * buffers, multipliers) are defaults to be tuned per source.
 */
export const PRESETS = {
  /**
   * Gamezop session performance postbacks: POST JSON with hyphenated keys, one per
   * session; `session-id` de-duplicates; `your-estimated-revenue` is an estimate in USD, hence
   * a revenue share with a safety buffer. Bearer token optional on Gamezop's side: the preset
   * requires it; set `auth: []` for a source that does not use one.
   */
  gamezop: {
    fields: {
      user: 'user-id',
      externalId: 'session-id',
      amount: 'your-estimated-revenue',
    },
    // "Record the payload data into your system" (Gamezop): the session's facts, kept as the event's data.
    keep: { country: 'country', 'count-of-ads-viewed': 'count-of-ads-viewed', 'session-duration': 'session-duration' },
    defaults: { eventType: 'session', currency: 'USD' },
    auth: [{ kind: 'bearer' }],
    reward: { kind: 'revenue-share', coinsPerUsd: 1000, shareBps: 10_000, bufferBps: 2000 },
    answer: { format: 'json' },
  },

  /**
   * GG3 Postback S2S: a GET query with `user_id`, `click_id`, `transaction_id`
   * (unique per event), `currency`, `amount_decimal`, and for multi-event campaigns
   * `event_id`/`event_name`. GG3's multi-event example carries no `transaction_id`: then
   * the click and event ids together identify the postback. GG3 defines no authentication, so
   * the URL given to GG3 carries the source secret as `secret`.
   */
  gg3: {
    fields: {
      user: 'user_id',
      externalId: 'transaction_id',
      clickId: 'click_id',
      amount: 'amount_decimal',
      currency: 'currency',
      eventType: 'event_name',
    },
    // `event_id` is optional for GG3: a postback without one (nor a transaction id) stands for its click.
    dedupeKey: ['click_id', '?event_id'],
    keep: { event_id: 'event_id' },
    auth: [{ kind: 'secret-query', param: 'secret' }],
    reward: { kind: 'none' },
    answer: { format: 'json' },
  },

  /**
   * MomentScience postbacks: GET query or POST JSON with `offer_id`,
   * `advertiser_name`, `payout` (USD), `timestamp` (ISO-8601), `is_loyaltyboost` and a
   * `payload` object carrying what was passed when serving the offer — the user among it
   * (`payload.user_id` in JSON, `user_id` on a GET). There is no conversion id, so offer,
   * timestamp and user together identify a postback. "1" in `is_loyaltyboost` applies the
   * loyaltyboost multiplier. The URL given to MomentScience carries the secret as `secret`.
   */
  momentscience: {
    fields: {
      user: ['payload.user_id', 'user_id'],
      offer: 'offer_id',
      amount: 'payout',
      timestamp: 'timestamp',
    },
    defaults: { eventType: 'conversion', currency: 'USD' },
    // MomentScience's own custom template sends no timestamp (`?payout={payout}&user_id={user_id}&offer_id={offer_id}`):
    // then offer and user alone identify the conversion.
    dedupeKey: ['offer_id', '?timestamp', '$user'],
    keep: { advertiser_name: 'advertiser_name' },
    auth: [{ kind: 'secret-query', param: 'secret' }],
    reward: { kind: 'revenue-share', coinsPerUsd: 1000, shareBps: 10_000, bufferBps: 0 },
    modifiers: { boostBps: 20_000, boostWhen: { path: 'is_loyaltyboost', equals: '1' } },
    answer: { format: 'json' },
  },

  /**
   * The partner postback API's level postbacks, for a studio with its own source, secret and
   * milestone table: `pid`, `uid` (or `userId`/`user_id`), `gid` (or `game_id`/`gameId`), `level_number` (or
   * `level`); once per user + game + level; the secret as a Bearer token or in
   * `X-Reward-Api-Secret`; the user must exist.
   */
  'reward-levels': {
    fields: {
      user: ['uid', 'userId', 'user_id'],
      offer: ['gid', 'game_id', 'gameId'],
      level: ['level_number', 'level'],
    },
    defaults: { eventType: 'level' },
    dedupeKey: ['$user', '$offer', '$level'],
    users: 'must-exist',
    auth: [{ kind: 'any', rules: [{ kind: 'bearer' }, { kind: 'secret-header', header: 'X-Reward-Api-Secret' }] }],
    reward: { kind: 'milestones', table: LEVEL_POSTBACK_MILESTONES },
    answer: { format: 'json' },
  },

  // Offerwalls and rewarded ads, from the vendors' public documentation: see
  // docs/integrations/research/<vendor>.md for each field, formula and how sure we are.

  /** Tapjoy self-managed currency: GET; verifier = md5(id:snuid:currency:secret key). Tapjoy stops on 403. */
  tapjoy: {
    fields: { user: 'snuid', externalId: 'id', reward: 'currency' },
    auth: [
      {
        kind: 'signature',
        scheme: { kind: 'digest', algorithm: 'md5', encoding: 'hex', location: { query: 'verifier' }, message: { kind: 'template', template: '{id}:{snuid}:{currency}:{secret}' } },
      },
    ],
    reward: { kind: 'partner-amount' },
    answer: { format: 'text', success: { status: 200, body: 'OK' }, rejected: { status: 403, body: '' } },
  },

  /**
   * ayeT-Studios: GET; X-Ayetstudios-Security-Hash = HMAC-SHA256(API key, the query sorted by
   * name and re-encoded as PHP http_build_query does). Chargebacks (opt-in): is_chargeback=1
   * with an "r-" prefixed transaction id. Publishes an IP allowlist: add it as an auth rule.
   */
  ayetstudios: {
    fields: { user: 'external_identifier', externalId: 'transaction_id', reward: 'currency_amount', amount: 'payout_usd', offer: 'offer_id' },
    defaults: { currency: 'USD' },
    auth: [
      {
        kind: 'signature',
        scheme: {
          kind: 'hmac',
          algorithm: 'sha256',
          encoding: 'hex',
          location: { header: 'X-Ayetstudios-Security-Hash' },
          message: { kind: 'sorted-query', encode: 'php-urlencode' },
        },
      },
    ],
    reversal: { kind: 'prefixed-id', prefix: 'r-' },
    reward: { kind: 'partner-amount' },
    answer: { format: 'text', success: { status: 200, body: 'OK' } },
  },

  /**
   * BitLabs: GET; hash = HMAC-SHA1(app secret, the whole URL as sent, minus &hash=). Set
   * `baseUrl` (or PUBLIC_URL) to the URL BitLabs calls. Survey reconciliations are TYPE
   * RECONCILIATION with the original's transaction in `ref`.
   */
  bitlabs: {
    fields: { user: 'uid', externalId: 'tx', reward: 'val', amount: 'raw', status: 'type' },
    defaults: { currency: 'USD' },
    auth: [
      {
        kind: 'signature',
        scheme: { kind: 'hmac', algorithm: 'sha1', encoding: 'hex', location: { query: 'hash' }, message: { kind: 'url-without-signature' } },
      },
    ],
    reversal: { kind: 'status', values: ['RECONCILIATION'], original: 'ref' },
    reward: { kind: 'partner-amount' },
    answer: { format: 'json' },
  },

  /** AdGem postbacks v3: POST JSON {request_id, timestamp, data:{…}}; Signature header = HMAC-SHA256(postback key, raw body). */
  adgem: {
    fields: { user: 'data.player_id', externalId: 'data.conversion_id', reward: 'data.amount', amount: 'data.payout', offer: 'data.campaign_id' },
    defaults: { currency: 'USD' },
    auth: [
      {
        kind: 'signature',
        scheme: { kind: 'hmac', algorithm: 'sha256', encoding: 'hex', location: { header: 'Signature' }, message: { kind: 'raw-body' } },
      },
    ],
    reward: { kind: 'partner-amount' },
    answer: { format: 'json' },
  },

  /** AdGem postbacks v2 (GET, deprecated by AdGem): verifier = HMAC-SHA256(postback key, the full URL minus verifier). */
  'adgem-v2': {
    fields: { user: 'player_id', externalId: 'transaction_id', reward: 'amount', amount: 'payout', offer: 'campaign_id' },
    defaults: { currency: 'USD' },
    auth: [
      {
        kind: 'signature',
        scheme: { kind: 'hmac', algorithm: 'sha256', encoding: 'hex', location: { query: 'verifier' }, message: { kind: 'url-without-signature' } },
      },
    ],
    reward: { kind: 'partner-amount' },
    answer: { format: 'text', success: { status: 200, body: 'OK' } },
  },

  /** Lootably: GET; hash = sha256(userID + ip + revenue + currencyReward + secret); status 0 is a chargeback; answers "1". */
  lootably: {
    fields: { user: 'userID', externalId: 'transactionID', reward: 'currencyReward', amount: 'revenue', offer: 'offerID', status: 'status' },
    defaults: { currency: 'USD' },
    auth: [
      {
        kind: 'signature',
        scheme: { kind: 'digest', algorithm: 'sha256', encoding: 'hex', location: { query: 'hash' }, message: { kind: 'template', template: '{userID}{ip}{revenue}{currencyReward}{secret}' } },
      },
    ],
    reversal: { kind: 'status', values: ['0'] },
    reward: { kind: 'partner-amount' },
    answer: { format: 'text', success: { status: 200, body: '1' } },
  },

  /** Torox (OfferToro): GET; sig = md5(oid-user_id-secret key); answers "1". */
  torox: {
    fields: { user: 'user_id', externalId: 'id', reward: 'amount', amount: 'payout', offer: 'oid' },
    defaults: { currency: 'USD' },
    auth: [
      {
        kind: 'signature',
        scheme: { kind: 'digest', algorithm: 'md5', encoding: 'hex', location: { query: 'sig' }, message: { kind: 'template', template: '{oid}-{user_id}-{secret}' } },
      },
    ],
    reward: { kind: 'partner-amount' },
    answer: { format: 'text', success: { status: 200, body: '1' } },
  },

  /**
   * AdGate Media: GET with the macros you choose (here conversion_id, s1 as the user, points,
   * payout, state); no signature: only AdGate's published address may call (52.42.57.125).
   * state=rejected reverses.
   */
  adgate: {
    fields: { user: 's1', externalId: 'conversion_id', reward: 'points', amount: 'payout', offer: 'offer_id', status: 'state' },
    defaults: { currency: 'USD' },
    auth: [{ kind: 'ip-allowlist', cidrs: ['52.42.57.125'] }],
    reversal: { kind: 'status', values: ['rejected'] },
    reward: { kind: 'partner-amount' },
    answer: { format: 'json' },
  },

  /**
   * Pollfish: GET with its placeholders as parameter names; signature = base64 HMAC-SHA1(secret
   * key, the values of Pollfish's placeholders in the URL, in the order of their names, joined
   * by ':'); cpa is revenue in US cents. The publisher's own parameters (`bundle_id`, `source`,
   * developer mode's `debug`) are not signed; an empty value is left out, except `term_reason`
   * (empty for an eligible user) and `click_id` (empty when the SDK was given none), which
   * Pollfish signs empty. A URL that names a placeholder otherwise (`id=[[tx_id]]`) overrides
   * `params` with its own names, in this order.
   */
  pollfish: {
    fields: { user: 'request_uuid', externalId: 'tx_id', amount: 'cpa', reward: 'reward_value', status: 'status', clickId: 'click_id' },
    defaults: { currency: 'USD' },
    amountUnit: 'cent',
    auth: [
      {
        kind: 'signature',
        scheme: {
          kind: 'hmac',
          algorithm: 'sha1',
          encoding: 'base64',
          location: { query: 'signature' },
          message: {
            kind: 'sorted-query',
            valuesOnly: true,
            join: ':',
            params: ['click_id', 'cpa', 'device_id', 'request_uuid', 'reward_name', 'reward_value', 'status', 'term_reason', 'timestamp', 'tx_id'],
            skipEmpty: true,
            keepEmpty: ['click_id', 'term_reason'],
          },
        },
      },
    ],
    reward: { kind: 'partner-amount' },
    answer: { format: 'json' },
  },

  /**
   * ironSource / Unity LevelPlay rewarded video: GET; signature = md5(timestamp + eventId +
   * appUserId + rewards + private key); answers "<eventId>:OK"; negativeCallback=true reverses.
   */
  ironsource: {
    fields: { user: 'appUserId', externalId: 'eventId', reward: 'rewards' },
    auth: [
      {
        kind: 'signature',
        scheme: {
          kind: 'digest',
          algorithm: 'md5',
          encoding: 'hex',
          location: { query: 'signature' },
          message: { kind: 'template', template: '{timestamp}{eventId}{appUserId}{rewards}{secret}' },
        },
      },
    ],
    reversal: { kind: 'flag', path: 'negativeCallback', value: 'true' },
    reward: { kind: 'partner-amount' },
    answer: { format: 'text', success: { status: 200, body: '{external_id}:OK' } },
  },

  /**
   * AdMob rewarded ads server-side verification: GET; ECDSA P-256 over the decoded query up to
   * &signature=, keys by key_id. The key below is Google's key 3335741209 as published in
   * verifier-keys.json; Google rotates keys: keep `keys` current through the source's overrides.
   */
  'admob-ssv': {
    fields: { user: 'user_id', externalId: 'transaction_id', reward: 'reward_amount', offer: 'ad_unit', timestamp: 'timestamp' },
    defaults: { eventType: 'rewarded_ad' },
    auth: [
      {
        kind: 'signature',
        scheme: {
          kind: 'ecdsa-p256',
          keys: { '3335741209': 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE+nzvoGqvDeB9+SzE6igTl7TyK4JBbglwir9oTcQta8NuG26ZpZFxt+F2NDk7asTE6/2Yc8i1ATcGIqtuS5hv0Q==' },
        },
      },
    ],
    reward: { kind: 'partner-amount' },
    answer: { format: 'json' },
  },

  /** AppLovin MAX rewarded S2S: GET with macros; event_token = sha1(event_id + event key). */
  'applovin-max': {
    fields: { user: 'user_id', externalId: 'event_id', reward: 'amount' },
    defaults: { eventType: 'rewarded_ad' },
    auth: [
      {
        kind: 'signature',
        scheme: { kind: 'digest', algorithm: 'sha1', encoding: 'hex', location: { query: 'event_token' }, message: { kind: 'template', template: '{event_id}{secret}' } },
      },
    ],
    reward: { kind: 'partner-amount' },
    answer: { format: 'json' },
  },

  /** Nothing assumed: the operator maps every field. */
  generic: {
    fields: { user: 'user_id', externalId: 'transaction_id' },
    auth: [],
    reward: { kind: 'none' },
    answer: { format: 'json' },
  },
} satisfies Record<string, SourceDefinition>;

export type PresetName = keyof typeof PRESETS;

export function isPresetName(name: string): name is PresetName {
  return Object.hasOwn(PRESETS, name);
}

/** A preset with an operator's overrides: each given top-level key replaces the preset's. */
export function resolveDefinition(preset: PresetName, overrides: Partial<SourceDefinition> = {}): SourceDefinition {
  return { ...(PRESETS[preset] as SourceDefinition), ...overrides };
}
