import { describe, expect, it } from 'vitest';
import { isMilestone, milestoneCoins } from './milestones.js';

describe('level postback milestone table', () => {
  // Every bracket edge the partner postback API's table implies, on both sides.
  it.each([
    [5, 25],
    [30, 25],
    [35, 15],
    [70, 15],
    [75, 10],
    [90, 10],
    [95, 5],
    [100, 5],
    [105, 2],
    [130, 2],
    [135, 1],
    [1000, 1],
  ])('level %i pays %i coins', (level, coins) => {
    expect(milestoneCoins(level)).toBe(coins);
  });

  it.each([1, 4, 6, 29, 31, 99, 101, 131])('level %i is not a milestone and pays nothing', (level) => {
    expect(isMilestone(level)).toBe(false);
    expect(milestoneCoins(level)).toBe(0);
  });

  it('rejects levels that are not positive whole numbers', () => {
    expect(milestoneCoins(0)).toBe(0);
    expect(milestoneCoins(-5)).toBe(0);
    expect(milestoneCoins(7.5)).toBe(0);
  });
});
