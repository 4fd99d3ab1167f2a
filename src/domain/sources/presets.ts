import { SEED_003_MILESTONES } from '../milestones.js';
import type { SourceDefinition } from './definition.js';

/**
 * Built-in source definitions, one per wire format, as plain data over the generic machinery.
 * An operator's source names a preset and may override any part of it (a shallow merge per
 * top-level key: e.g. `fields`, `auth`, `reward`). Business numbers (coins per USD, shares,
 * buffers, multipliers) are defaults to be tuned per source.
 */
export const PRESETS = {
  /**
   * Seed 000, Gamezop session performance postbacks: POST JSON with hyphenated keys, one per
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
    defaults: { eventType: 'session', currency: 'USD' },
    auth: [{ kind: 'bearer' }],
    reward: { kind: 'revenue-share', coinsPerUsd: 1000, shareBps: 10_000, bufferBps: 2000 },
    answer: { format: 'json' },
  },

  /**
   * Seed 001, GG3 S2S postbacks: a GET query with `user_id`, `click_id`, `transaction_id`
   * (unique per event), `currency`, `amount_decimal`, and for multi-event campaigns
   * `event_id`/`event_name`. The seed's multi-event example carries no `transaction_id`: then
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
    dedupeKey: ['click_id', 'event_id'],
    auth: [{ kind: 'secret-query', param: 'secret' }],
    reward: { kind: 'none' },
    answer: { format: 'json' },
  },

  /**
   * Seed 002, MomentScience postbacks: GET query or POST JSON with `offer_id`,
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
    dedupeKey: ['offer_id', 'timestamp', '$user'],
    auth: [{ kind: 'secret-query', param: 'secret' }],
    reward: { kind: 'revenue-share', coinsPerUsd: 1000, shareBps: 10_000, bufferBps: 0 },
    modifiers: { boostBps: 20_000, boostWhen: { path: 'is_loyaltyboost', equals: '1' } },
    answer: { format: 'json' },
  },

  /**
   * Seed 003's level postbacks, for a studio with its own source, secret and milestone table:
   * `pid`, `uid` (or `userId`/`user_id`), `gid` (or `game_id`/`gameId`), `level_number` (or
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
    reward: { kind: 'milestones', table: SEED_003_MILESTONES },
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
