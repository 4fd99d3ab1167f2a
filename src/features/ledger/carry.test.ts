import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { carry, formatCoins, fractionOf, MICROS_PER_COIN, wholeCoins } from './carry.js';

/** Credits a sequence (take-backs included) as the store does: coins and the remainder carried. */
function credit(sequence: readonly number[]): { coins: number; remainder: number } {
  let coins = 0;
  let remainder = 0;
  for (const micros of sequence) {
    const step = carry(remainder, micros);
    coins += step.coins;
    remainder = step.remainder;
  }
  return { coins, remainder };
}

describe('the carried fraction', () => {
  it('credits 96 coins for 100 rewards of 0.96 coin (each alone would round to 0)', () => {
    expect(credit(Array.from({ length: 100 }, () => 960_000))).toEqual({ coins: 96, remainder: 0 });
  });

  it('credits the floor of the exact running sum after every reward, whatever the sequence', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 * MICROS_PER_COIN }), { maxLength: 200 }), (sequence) => {
        let coins = 0;
        let remainder = 0;
        let exact = 0;
        for (const micros of sequence) {
          const step = carry(remainder, micros);
          coins += step.coins;
          remainder = step.remainder;
          exact += micros;
          expect(coins).toBe(Math.floor(exact / MICROS_PER_COIN));
          expect(remainder).toBe(exact % MICROS_PER_COIN);
        }
      }),
    );
  });

  it('takes back exactly a reversed reward: what stands is the floor of the exact sum of the rewards not reversed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ micros: fc.integer({ min: 1, max: 20 * MICROS_PER_COIN }), reversed: fc.boolean() }), { maxLength: 100 }),
        fc.integer({ min: 0, max: 1000 }),
        (rewards, seed) => {
          // Rewards first, then their reversals in an order of their own.
          const reversals = rewards.filter((r) => r.reversed).map((r) => -r.micros);
          const shuffled = reversals.map((m, i) => ({ m, k: (i * 7919 + seed) % 1009 })).sort((a, b) => a.k - b.k).map((x) => x.m);
          const result = credit([...rewards.map((r) => r.micros), ...shuffled]);
          const standing = rewards.filter((r) => !r.reversed).reduce((sum, r) => sum + r.micros, 0);
          expect(result.coins).toBe(Math.floor(standing / MICROS_PER_COIN));
          expect(result.remainder).toBe(standing % MICROS_PER_COIN);
        },
      ),
    );
  });

  it('splits amounts of either sign into whole coins and a fraction from 0 to 999,999', () => {
    expect([wholeCoins(1_500_000), fractionOf(1_500_000)]).toEqual([1, 500_000]);
    expect([wholeCoins(-960_000), fractionOf(-960_000)]).toEqual([-1, 40_000]);
    expect([wholeCoins(-2_000_000), fractionOf(-2_000_000)]).toEqual([-2, 0]);
  });

  it('writes micro-coins as decimal coins', () => {
    expect([formatCoins(960_000), formatCoins(12_000_000), formatCoins(-1_500_000), formatCoins(1), formatCoins(0)]).toEqual(['0.96', '12', '-1.5', '0.000001', '0']);
  });
});
