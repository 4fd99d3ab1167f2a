import { milestoneCoins, type MilestoneTable } from '../level-postbacks/milestones.js';
import { formatMicros, MICROS_PER_UNIT } from '../../lib/money.js';
import { formatCoins, MICROS_PER_COIN } from '../ledger/carry.js';

/**
 * How an accepted event turns into coins. Pure and integer-only: money arrives as micro-units,
 * percentages as basis points (1% = 100 bp), rewards leave as micro-coins, and every division
 * rounds **down**, so the hub never credits more than it was paid for.
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

/**
 * The exact reward in micro-coins (1 coin = 1,000,000), rounded down only below a micro-coin;
 * whole coins are credited as the user's fractions add up (ledger/carry.ts). `explanation`: the
 * rule and its numbers in words, kept with the event for the user's ledger and trace.
 */
export type RewardResult = { micros: number; note: string | null; explanation: string | null };

const BPS = 10_000n;
const MICROS = BigInt(MICROS_PER_COIN);

/**
 * The most coins one event credits: a billion, so that its exact reward in micro-coins is still
 * a safe integer. A huge revenue times a rate and a boost would otherwise leave the integers.
 */
export const MAX_EVENT_COINS = 1_000_000_000;

/** Base reward and boost. The daily cap needs today's credits, so the store applies it (applyDailyCap). */
export function computeReward(rule: RewardRule, modifiers: Pick<RewardModifiers, 'boostBps'>, input: RewardInput): RewardResult {
  const base = baseMicros(rule, input);
  if (base.micros <= 0n || !input.boosted || modifiers.boostBps === undefined) return capped(base);
  const micros = (base.micros * BigInt(modifiers.boostBps)) / BPS;
  return capped({ ...base, micros, explanation: `${base.explanation} × ${formatBps(modifiers.boostBps)} boost = ${formatCoins(micros)} coins` });
}

function capped(result: { micros: bigint; note: string | null; explanation: string | null }): RewardResult {
  const max = BigInt(MAX_EVENT_COINS) * MICROS;
  if (result.micros <= max) return { ...result, micros: Number(result.micros) };
  return { micros: Number(max), note: `the reward came to more than ${MAX_EVENT_COINS} coins, the most one event credits: cut to it`, explanation: result.explanation };
}

/** At most `cap` coins a day: what is left of it after `creditedToday` (whole coins), in micro-coins. */
export function applyDailyCap(micros: number, cap: number, creditedToday: number): { micros: number; note: string | null } {
  const room = Math.max(0, cap - creditedToday) * MICROS_PER_COIN;
  if (micros <= room) return { micros, note: null };
  return { micros: room, note: `daily cap of ${cap} coins reached: ${formatCoins(micros)} cut to ${formatCoins(room)}` };
}

function baseMicros(rule: RewardRule, input: RewardInput): { micros: bigint; note: string | null; explanation: string | null } {
  const whole = (coins: number, explanation: string) => ({ micros: BigInt(coins) * MICROS, note: null, explanation });
  switch (rule.kind) {
    case 'milestones': {
      const coins = input.level === null ? 0 : milestoneCoins(input.level, rule.table);
      return whole(coins, input.level === null ? 'no level, no milestone' : `level ${input.level} milestone: ${coins} coins`);
    }
    case 'revenue-share': {
      if (input.revenueUsdMicros === null) return { micros: 0n, note: 'no revenue in USD to share', explanation: null };
      if (input.revenueUsdMicros <= 0) return { micros: 0n, note: null, explanation: null };
      // revenue (USD micros) × coins per USD is micro-coins already.
      const micros = (BigInt(input.revenueUsdMicros) * BigInt(rule.coinsPerUsd) * BigInt(rule.shareBps) * (BPS - BigInt(rule.bufferBps))) / (BPS * BPS);
      const buffer = rule.bufferBps === 0 ? '' : ` × (1 − ${formatBps(rule.bufferBps)} buffer)`;
      return {
        micros,
        note: null,
        explanation: `${formatMicros(input.revenueUsdMicros)} USD × ${rule.coinsPerUsd.toLocaleString('en-US')} coins per USD × ${formatBps(rule.shareBps)} share${buffer} = ${formatCoins(micros)} coins`,
      };
    }
    case 'fixed': {
      const byOffer = input.offerId === null ? undefined : rule.byOffer?.[input.offerId];
      if (byOffer !== undefined) return whole(byOffer, `fixed reward for offer ${input.offerId}: ${byOffer} coins`);
      const byType = rule.byEventType?.[input.eventType];
      if (byType !== undefined) return whole(byType, `fixed reward for a ${input.eventType}: ${byType} coins`);
      return whole(rule.coins, `fixed reward: ${rule.coins} coins`);
    }
    case 'partner-amount':
      return input.partnerCoins === null
        ? { micros: 0n, note: 'the partner sent no reward amount', explanation: null }
        : whole(input.partnerCoins, `the partner's stated reward: ${input.partnerCoins} coins`);
    case 'none':
      return { micros: 0n, note: null, explanation: null };
  }
}

/** Basis points as a percentage: 2000 → "20%", 15000 → "150%", 125 → "1.25%". */
function formatBps(bps: number): string {
  return `${(bps / 100).toLocaleString('en-US', { maximumFractionDigits: 2 })}%`;
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
