/**
 * Level milestone rewards (the partner postback API): coins are credited only on every
 * `every`-th level, and how many depends on the range the level falls in. Higher levels pay
 * less, so the table is a list of brackets, each covering levels up to `upTo` inclusive.
 */
export interface MilestoneTable {
  every: number;
  /** Ordered by `upTo`; the last bracket has `upTo: null` and covers everything above. */
  brackets: Array<{ upTo: number | null; coins: number }>;
}

export const LEVEL_POSTBACK_MILESTONES: MilestoneTable = {
  every: 5,
  brackets: [
    { upTo: 30, coins: 25 },
    { upTo: 70, coins: 15 },
    { upTo: 90, coins: 10 },
    { upTo: 100, coins: 5 },
    { upTo: 130, coins: 2 },
    { upTo: null, coins: 1 },
  ],
};

export function isMilestone(level: number, table: MilestoneTable = LEVEL_POSTBACK_MILESTONES): boolean {
  return Number.isSafeInteger(level) && level > 0 && level % table.every === 0;
}

/** Coins for completing `level`: 0 unless it is a milestone. */
export function milestoneCoins(level: number, table: MilestoneTable = LEVEL_POSTBACK_MILESTONES): number {
  if (!isMilestone(level, table)) return 0;
  for (const bracket of table.brackets) {
    if (bracket.upTo === null || level <= bracket.upTo) return bracket.coins;
  }
  return 0;
}
