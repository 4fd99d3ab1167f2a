import { describe, expect, it } from 'vitest';
import { LEVEL_POSTBACK_MILESTONES } from '../level-postbacks/milestones.js';
import { parseMicros } from '../../lib/money.js';
import { applyDailyCap, computeReward, MAX_EVENT_COINS, toUsdMicros, type RewardInput } from './reward-rules.js';

const input = (overrides: Partial<RewardInput> = {}): RewardInput => ({
  eventType: 'conversion',
  offerId: null,
  level: null,
  revenueUsdMicros: null,
  partnerCoins: null,
  boosted: false,
  ...overrides,
});

describe('reward rules', () => {
  it('pays milestones from the table', () => {
    const rule = { kind: 'milestones', table: LEVEL_POSTBACK_MILESTONES } as const;
    expect(computeReward(rule, {}, input({ level: 35 }))).toEqual({ coins: 15, note: null });
    expect(computeReward(rule, {}, input({ level: 36 }))).toEqual({ coins: 0, note: null });
  });

  describe('revenue share with a safety buffer', () => {
    // 1000 coins per USD, 50% share, 20% buffer: 2.10 USD → 2.10 × 1000 × 0.5 × 0.8 = 840.
    const rule = { kind: 'revenue-share', coinsPerUsd: 1000, shareBps: 5000, bufferBps: 2000 } as const;

    it('shares booked revenue exactly', () => {
      expect(computeReward(rule, {}, input({ revenueUsdMicros: parseMicros('2.10') }))).toEqual({ coins: 840, note: null });
    });

    it("rounds Gamezop's tiny estimate down, never up", () => {
      // 0.000012 USD × 1_000_000 coins/USD × 0.5 × 0.8 = 4.8 → 4.
      const generous = { ...rule, coinsPerUsd: 1_000_000 };
      expect(computeReward(generous, {}, input({ revenueUsdMicros: parseMicros('0.000012') }))).toEqual({ coins: 4, note: null });
      expect(computeReward(rule, {}, input({ revenueUsdMicros: parseMicros('0.000012') })).coins).toBe(0);
    });

    it('says why there is nothing to share', () => {
      expect(computeReward(rule, {}, input())).toEqual({ coins: 0, note: 'no revenue in USD to share' });
    });

    it('stays exact for large amounts', () => {
      // 999,999,999.999999 USD at 1000 coins/USD, 100% share, no buffer.
      const all = { kind: 'revenue-share', coinsPerUsd: 1000, shareBps: 10_000, bufferBps: 0 } as const;
      expect(computeReward(all, {}, input({ revenueUsdMicros: 999_999_999_999_999 })).coins).toBe(999_999_999_999);
    });
  });

  it('pays a fixed amount, per offer before per event type', () => {
    const rule = { kind: 'fixed', coins: 10, byEventType: { registration: 50 }, byOffer: { o1: 99 } } as const;
    expect(computeReward(rule, {}, input()).coins).toBe(10);
    expect(computeReward(rule, {}, input({ eventType: 'registration' })).coins).toBe(50);
    expect(computeReward(rule, {}, input({ eventType: 'registration', offerId: 'o1' })).coins).toBe(99);
  });

  it("takes the partner's stated reward", () => {
    expect(computeReward({ kind: 'partner-amount' }, {}, input({ partnerCoins: 120 }))).toEqual({ coins: 120, note: null });
    expect(computeReward({ kind: 'partner-amount' }, {}, input())).toEqual({ coins: 0, note: 'the partner sent no reward amount' });
  });

  it('multiplies boosted events (loyaltyboost) and rounds down', () => {
    const rule = { kind: 'fixed', coins: 15 } as const;
    expect(computeReward(rule, { boostBps: 15_000 }, input({ boosted: true })).coins).toBe(22);
    expect(computeReward(rule, { boostBps: 15_000 }, input({ boosted: false })).coins).toBe(15);
  });

  it('cuts at the daily cap and says so', () => {
    expect(applyDailyCap(30, 100, 80)).toEqual({ coins: 20, note: 'daily cap of 100 coins reached: 30 cut to 20' });
    expect(applyDailyCap(30, 100, 100).coins).toBe(0);
    expect(applyDailyCap(30, 100, 0)).toEqual({ coins: 30, note: null });
  });
});

describe('toUsdMicros', () => {
  const rates = { EUR: 1_080_000, INR: 12_000 };
  it('converts through the rate table, rounding toward zero', () => {
    expect(toUsdMicros(parseMicros('100.00')!, 'usd', rates)).toBe(100_000_000);
    expect(toUsdMicros(parseMicros('10.00')!, 'EUR', rates)).toBe(10_800_000);
    expect(toUsdMicros(parseMicros('1.000001')!, 'INR', rates)).toBe(12_000);
    expect(toUsdMicros(-parseMicros('10.00')!, 'EUR', rates)).toBe(-10_800_000);
  });

  it('has no answer without a rate', () => {
    expect(toUsdMicros(1_000_000, 'GBP', rates)).toBeNull();
  });

  it('never credits more than one event may, whatever the revenue, rate and boost', () => {
    const rule = { kind: 'revenue-share', coinsPerUsd: 1_000_000_000, shareBps: 10_000, bufferBps: 0 } as const;
    const huge = computeReward(rule, { boostBps: 1_000_000 }, input({ revenueUsdMicros: 999_999_999_999_999, boosted: true }));
    expect(huge).toEqual({ coins: MAX_EVENT_COINS, note: expect.stringContaining('cut') });
    expect(Number.isSafeInteger(huge.coins)).toBe(true);
    expect(computeReward(rule, {}, input({ revenueUsdMicros: 1_000_000 }))).toEqual({ coins: 1_000_000_000, note: null });
    expect(computeReward(rule, {}, input({ revenueUsdMicros: 2_000_000_000 })).coins).toBe(MAX_EVENT_COINS);
  });
});
