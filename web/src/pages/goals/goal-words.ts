import type { Goal, GoalCondition, GoalConfig } from '../../api';
import { integer } from '../../format';

// A goal's definition in words, for its row and for a user's progress.

// A data value is not broken across lines at its "=".
const NBSP = '\u00a0';

/** "mainquest_complete with questId = q1", "any event from platform at level 10 or above". */
export function conditionText(condition: GoalCondition): string {
  const data = Object.entries(condition.data ?? {});
  return [
    condition.eventType ?? 'any event',
    condition.offer === undefined ? null : `of offer ${condition.offer}`,
    condition.source === undefined ? null : `from ${condition.source}`,
    condition.levelAtLeast === undefined ? null : `at level ${condition.levelAtLeast} or above`,
    data.length === 0 ? null : `with ${data.map(([key, value]) => `${key}${NBSP}=${NBSP}${value === '' ? '(empty)' : value}`).join(', ')}`,
  ]
    .filter(Boolean)
    .join(' ');
}

/** "All of 3", "5 events", "Every 5 events". */
export function kindText(config: GoalConfig): string {
  if (config.kind === 'all') return config.conditions.length === 1 ? 'One condition' : `All of ${config.conditions.length}, any order`;
  const events = `${integer(config.count)} event${config.count === 1 ? '' : 's'}`;
  return config.repeat === true ? `Every ${events}` : events;
}

const UNITS: Array<[label: string, seconds: number]> = [
  ['d', 86_400],
  ['h', 3600],
  ['min', 60],
  ['s', 1],
];

/** 93,600 s → "1 d 2 h": exact, every unit that is not zero. */
export function windowText(seconds: number | undefined): string {
  if (seconds === undefined) return 'none';
  let left = seconds;
  const parts: string[] = [];
  for (const [label, size] of UNITS) {
    const n = Math.floor(left / size);
    if (n > 0) parts.push(`${integer(n)} ${label}`);
    left -= n * size;
  }
  return parts.join(' ');
}

export function bonusText(config: GoalConfig): string {
  if (config.bonusCoins === undefined) return 'none';
  const coins = `${integer(config.bonusCoins)} coin${config.bonusCoins === 1 ? '' : 's'}`;
  return config.kind === 'count' && config.repeat === true ? `${coins} each time` : coins;
}

/** A group completes once; a count once, or again at every further `count` when it repeats. */
export function repeats(goal: Goal): boolean {
  return goal.config.kind === 'count' && goal.config.repeat === true;
}

export function timesText(n: number): string {
  return n === 1 ? 'once' : n === 2 ? 'twice' : `${integer(n)} times`;
}
