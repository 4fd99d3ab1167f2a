// A goal: an event derived from a user's progress — every condition of a group met (GG3's "Multi
// MainQuest Complete"), or a count of matching events reached (GGStrike: N presses of the
// GG-button). Pure: which goals an event advances, and how. The store keeps each user's progress
// (goal-sql.ts) and records the goal's own event once, in the transaction of the event that
// completed it.
import { Type, type Static } from 'typebox';

export const GoalConditionSchema = Type.Object(
  {
    eventType: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "The event's type (a platform event's `type`, a postback's mapped type)" })),
    offer: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Only events of this offer or game' })),
    source: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Only events from this source (`platform` for the platform events API, `reward-levels` for the level postback API)' })),
    levelAtLeast: Type.Optional(Type.Integer({ minimum: 1, description: 'Only events whose level is at least this' })),
    data: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' }), Type.String({ maxLength: 200 }), {
        maxProperties: 5,
        // Keys the pattern refuses are refused, not let through unchecked.
        additionalProperties: false,
        description: "Values the event's data must hold (a platform event's `data`, a source's kept fields), e.g. {\"questId\": \"q7\"}",
      }),
    ),
  },
  { additionalProperties: false, title: 'GoalCondition' },
);
export type GoalCondition = Static<typeof GoalConditionSchema>;

export const GoalConfigSchema = Type.Union(
  [
    Type.Object(
      {
        kind: Type.Literal('all'),
        conditions: Type.Array(GoalConditionSchema, { minItems: 1, maxItems: 10, description: 'Complete once every condition is met, in any order' }),
        windowSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 31_536_000, description: 'All within this long of the first: when it expires, progress starts again from the event that found it expired' })),
        bonusCoins: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: 'Coins credited once, when the goal completes' })),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        kind: Type.Literal('count'),
        condition: GoalConditionSchema,
        count: Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Complete at this many matching events' }),
        repeat: Type.Optional(Type.Boolean({ description: 'Complete again at every further `count` (GGStrike: every 50 presses); otherwise once' })),
        windowSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 31_536_000, description: 'Counted within this long of the first: when it expires, the count starts again' })),
        bonusCoins: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: 'Coins credited at each completion' })),
      },
      { additionalProperties: false },
    ),
  ],
  { title: 'GoalConfig' },
);
export type GoalConfig = Static<typeof GoalConfigSchema>;

export interface Goal {
  id: string;
  name: string;
  config: GoalConfig;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

/** What a condition is judged on: an event's type, offer, source, level and data. */
export interface GoalFacts {
  type: string;
  offerId: string | null;
  source: string;
  level: number | null;
  data: Readonly<Record<string, unknown>>;
}

/** An event's facts as goals see them: its data is a platform event's `data`, a source's kept fields. */
export function goalFacts(event: { type: string; offerId: string | null; source: string; level: number | null; metadata: Readonly<Record<string, unknown>> }): GoalFacts {
  const data = event.metadata.data;
  return { type: event.type, offerId: event.offerId, source: event.source, level: event.level, data: typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {} };
}

export function matches(condition: GoalCondition, event: GoalFacts): boolean {
  if (condition.eventType !== undefined && condition.eventType !== event.type) return false;
  if (condition.offer !== undefined && condition.offer !== event.offerId) return false;
  if (condition.source !== undefined && condition.source !== event.source) return false;
  if (condition.levelAtLeast !== undefined && (event.level === null || event.level < condition.levelAtLeast)) return false;
  for (const [key, value] of Object.entries(condition.data ?? {})) {
    const actual = event.data[key];
    // Data arrives as JSON: a quest id may be sent as 7 or "7".
    if (!((typeof actual === 'string' || typeof actual === 'number' || typeof actual === 'boolean') && String(actual) === value)) return false;
  }
  return true;
}

/**
 * How an event advances a goal: for a group, the bits of the conditions it meets (one event may
 * meet several); for a count, one more. Null when it does not advance it. A goal's own event
 * advances no goal (goals do not feed each other).
 */
export function advance(goal: Goal, event: GoalFacts): { bits: number } | { count: 1 } | null {
  if (!goal.enabled || event.type === GOAL_EVENT_TYPE) return null;
  if (goal.config.kind === 'count') return matches(goal.config.condition, event) ? { count: 1 } : null;
  let bits = 0;
  goal.config.conditions.forEach((condition, i) => {
    if (matches(condition, event)) bits |= 1 << i;
  });
  return bits === 0 ? null : { bits };
}

/** Every condition of a group met: its bits all set. */
export function fullMask(config: Extract<GoalConfig, { kind: 'all' }>): number {
  return (1 << config.conditions.length) - 1;
}

export const GOAL_EVENT_TYPE = 'goal';
/** The source a goal's own event is recorded under. */
export const GOALS_SOURCE = 'goals';
