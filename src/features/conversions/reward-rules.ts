import { milestoneCoins, type MilestoneTable } from '../level-postbacks/milestones.js';
import { MICROS_PER_UNIT } from '../../lib/money.js';

/**
 * How an accepted event turns into coins. Pure and integer-only: money arrives as micro-units,
 * percentages as basis points (1% = 100 bp), and every division rounds **down**, so the hub
 * never credits a fraction of a coin it was not paid for.
 */
export type RewardRule =
  /** Level postbacks: coins on every n-th level by bracket. */
  | { kind: 'milestones'; table: MilestoneTable }
  /**
   * Revenue share: coins = revenue in USD × coinsPerUsd × share × (1 − buffer). The buffer is
   * for estimated revenue (Gamezop: "not a guarantee of booked revenue").
   */
  | { kind: 'revenue-share'; coinsPerUsd: number; shareBps: number; bufferBps: number }
  /** A fixed number of coins, optionally per event type or per offer (offer wins). */
  | { kind: 'fixed'; coins: number; byEventType?: Record<string, number>; byOffer?: Record<string, number> }
  /** The partner states the reward in the app's currency (offerwalls): take it as is. */
  | { kind: 'partner-amount' }
  /** Record only. */
  | { kind: 'none' };

export interface RewardModifiers {
  /** A multiplier in basis points (e.g. 20000 = ×2) applied when the event is boosted. */
  boostBps?: number;
  /** At most this many coins per user per UTC day from this source. */
  dailyCap?: number;
}

export interface RewardInput {
  eventType: string;
  offerId: string | null;
  level: number | null;
  /** Revenue converted to USD micro-units, or null when there is none (or no rate for it). */
  revenueUsdMicros: number | null;
  /** The reward the partner states, in whole coins, if any. */
  partnerCoins: number | null;
  boosted: boolean;
}

export type RewardResult = { coins: number; note: string | null };

const BPS = 10_000n;

/**
 * The most coins one event credits: a trillion, so the largest revenue a partner can send at
 * 1,000 coins per USD still fits. A huge revenue times a rate and a boost would otherwise leave
 * the integers (past 2^53) for floats in the ledger.
 */
export const MAX_EVENT_COINS = 1_000_000_000_000;

/** Base reward and boost. The daily cap needs today's credits, so the store applies it (applyDailyCap). */
export function computeReward(rule: RewardRule, modifiers: Pick<RewardModifiers, 'boostBps'>, input: RewardInput): RewardResult {
  const base = baseCoins(rule, input);
  if (base.coins <= 0 || !input.boosted || modifiers.boostBps === undefined) return capped(base);
  return capped({ coins: Number((BigInt(base.coins) * BigInt(modifiers.boostBps)) / BPS), note: base.note });
}

function capped(result: RewardResult): RewardResult {
  if (result.coins <= MAX_EVENT_COINS) return result;
  return { coins: MAX_EVENT_COINS, note: `the reward came to more than ${MAX_EVENT_COINS} coins, the most one event credits: cut to it` };
}

/** At most `cap` coins a day: what is left of it after `creditedToday`. */
export function applyDailyCap(coins: number, cap: number, creditedToday: number): RewardResult {
  const room = Math.max(0, cap - creditedToday);
  if (coins <= room) return { coins, note: null };
  return { coins: room, note: `daily cap of ${cap} coins reached: ${coins} cut to ${room}` };
}

function baseCoins(rule: RewardRule, input: RewardInput): RewardResult {
  switch (rule.kind) {
    case 'milestones':
      return { coins: input.level === null ? 0 : milestoneCoins(input.level, rule.table), note: null };
    case 'revenue-share': {
      if (input.revenueUsdMicros === null) return { coins: 0, note: 'no revenue in USD to share' };
      if (input.revenueUsdMicros <= 0) return { coins: 0, note: null };
      const numerator = BigInt(input.revenueUsdMicros) * BigInt(rule.coinsPerUsd) * BigInt(rule.shareBps) * (BPS - BigInt(rule.bufferBps));
      return { coins: Number(numerator / (BigInt(MICROS_PER_UNIT) * BPS * BPS)), note: null };
    }
    case 'fixed': {
      const byOffer = input.offerId === null ? undefined : rule.byOffer?.[input.offerId];
      return { coins: byOffer ?? rule.byEventType?.[input.eventType] ?? rule.coins, note: null };
    }
    case 'partner-amount':
      return input.partnerCoins === null ? { coins: 0, note: 'the partner sent no reward amount' } : { coins: input.partnerCoins, note: null };
    case 'none':
      return { coins: 0, note: null };
  }
}

/**
 * Converts an amount to USD micro-units with a table of USD per unit of each currency (as
 * micro-units: 1.08 USD per EUR is 1_080_000). Null when the currency has no rate: the event
 * is then recorded without a revenue-based reward, and the reason says why.
 */
export function toUsdMicros(amountMicros: number, currency: string, usdPerUnitMicros: Record<string, number>): number | null {
  const code = currency.toUpperCase();
  if (code === 'USD') return amountMicros;
  const rate = usdPerUnitMicros[code];
  if (rate === undefined) return null;
  const product = BigInt(amountMicros) * BigInt(rate);
  // Round toward zero for credits and debits alike, so a reversal never takes back more.
  return Number(product / BigInt(MICROS_PER_UNIT));
}
