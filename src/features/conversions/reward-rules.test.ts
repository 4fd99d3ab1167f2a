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
    expect(computeReward(rule, {}, input({ level: 35 }))).toEqual({ micros: 15_000_000, note: null, explanation: 'level 35 milestone: 15 coins' });
    expect(computeReward(rule, {}, input({ level: 36 })).micros).toBe(0);
  });

  describe('revenue share with a safety buffer', () => {
    // 1000 coins per USD, 50% share, 20% buffer: 2.10 USD → 2.10 × 1000 × 0.5 × 0.8 = 840.
    const rule = { kind: 'revenue-share', coinsPerUsd: 1000, shareBps: 5000, bufferBps: 2000 } as const;

    it('shares booked revenue exactly', () => {
      expect(computeReward(rule, {}, input({ revenueUsdMicros: parseMicros('2.10') }))).toEqual({
        micros: 840_000_000,
        note: null,
        explanation: '2.10 USD × 1,000 coins per USD × 50% share × (1 − 20% buffer) = 840 coins',
      });
    });

    it("keeps Gamezop's tiny estimate exact to the micro-coin, for the carry to add up", () => {
      // 0.000012 USD × 1_000_000 coins/USD × 0.5 × 0.8 = 4.8 coins; at 1000 coins/USD 0.0048.
      const generous = { ...rule, coinsPerUsd: 1_000_000 };
      expect(computeReward(generous, {}, input({ revenueUsdMicros: parseMicros('0.000012') })).micros).toBe(4_800_000);
      expect(computeReward(rule, {}, input({ revenueUsdMicros: parseMicros('0.000012') })).micros).toBe(4_800);
      // Below a micro-coin it rounds down, never up.
      expect(computeReward({ ...rule, coinsPerUsd: 1 }, {}, input({ revenueUsdMicros: 3 })).micros).toBe(1);
    });

    it('says why there is nothing to share', () => {
      expect(computeReward(rule, {}, input())).toEqual({ micros: 0, note: 'no revenue in USD to share', explanation: null });
    });

    it('stays exact for large amounts', () => {
      // 999,999.999999 USD at 1000 coins/USD, 100% share, no buffer.
      const all = { kind: 'revenue-share', coinsPerUsd: 1000, shareBps: 10_000, bufferBps: 0 } as const;
      expect(computeReward(all, {}, input({ revenueUsdMicros: 999_999_999_999 })).micros).toBe(999_999_999_999_000);
    });
  });

  it('pays a fixed amount, per offer before per event type', () => {
    const rule = { kind: 'fixed', coins: 10, byEventType: { registration: 50 }, byOffer: { o1: 99 } } as const;
    expect(computeReward(rule, {}, input()).micros).toBe(10_000_000);
    expect(computeReward(rule, {}, input({ eventType: 'registration' })).micros).toBe(50_000_000);
    expect(computeReward(rule, {}, input({ eventType: 'registration', offerId: 'o1' })).micros).toBe(99_000_000);
  });

  it("takes the partner's stated reward", () => {
    expect(computeReward({ kind: 'partner-amount' }, {}, input({ partnerCoins: 120 })).micros).toBe(120_000_000);
    expect(computeReward({ kind: 'partner-amount' }, {}, input())).toEqual({ micros: 0, note: 'the partner sent no reward amount', explanation: null });
  });

  it('multiplies boosted events (loyaltyboost) exactly', () => {
    const rule = { kind: 'fixed', coins: 15 } as const;
    expect(computeReward(rule, { boostBps: 15_000 }, input({ boosted: true }))).toEqual({ micros: 22_500_000, note: null, explanation: 'fixed reward: 15 coins × 150% boost = 22.5 coins' });
    expect(computeReward(rule, { boostBps: 15_000 }, input({ boosted: false })).micros).toBe(15_000_000);
  });

  it('cuts at the daily cap and says so', () => {
    expect(applyDailyCap(30_500_000, 100, 80)).toEqual({ micros: 20_000_000, note: 'daily cap of 100 coins reached: 30.5 cut to 20' });
    expect(applyDailyCap(30_000_000, 100, 100).micros).toBe(0);
    expect(applyDailyCap(960_000, 100, 99)).toEqual({ micros: 960_000, note: null });
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
    expect(huge).toMatchObject({ micros: MAX_EVENT_COINS * 1_000_000, note: expect.stringContaining('cut') });
    expect(Number.isSafeInteger(huge.micros)).toBe(true);
    expect(computeReward(rule, {}, input({ revenueUsdMicros: 1_000_000 })).micros).toBe(1_000_000_000 * 1_000_000);
    expect(computeReward(rule, {}, input({ revenueUsdMicros: 2_000_000_000 })).micros).toBe(MAX_EVENT_COINS * 1_000_000);
  });
});
