import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { firstFieldProblem, type Parsed } from '../../lib/validation.js';

/**
 * The partner postback API's level-completion postback in its canonical (snake_case) form.
 * This one schema validates the normalised body and documents the endpoint in the OpenAPI document.
 */
export const LevelPostbackSchema = Type.Object(
  {
    pid: Type.String({ minLength: 1, maxLength: 128, description: 'Partner / product id; must match a registered store app' }),
    uid: Type.String({ format: 'uuid', description: 'Reward user id (aliases: userId, user_id); must exist' }),
    gid: Type.String({ minLength: 1, maxLength: 128, description: 'Game id (aliases: game_id, gameId); must be in the reward games catalog' }),
    level_number: Type.Integer({ minimum: 1, description: 'Completed level, a positive integer (alias: level)' }),
    reason: Type.Optional(Type.String({ maxLength: 1000, description: 'Free-text note kept in the event metadata' })),
  },
  { additionalProperties: true },
);

export type LevelPostback = Static<typeof LevelPostbackSchema>;

const validator = Compile(LevelPostbackSchema);

/** Accepted spellings of each field, canonical first: the first one present wins. */
const ALIASES: ReadonlyArray<readonly [keyof LevelPostback, readonly string[]]> = [
  ['uid', ['uid', 'user_id', 'userId']],
  ['gid', ['gid', 'game_id', 'gameId']],
  ['level_number', ['level_number', 'level']],
];

/**
 * Normalises aliases and validates. Whole-number strings ("10") are accepted for the level
 * because game clients often send every value as a string; anything else must be exact.
 */
export function parseLevelPostback(body: unknown): Parsed<LevelPostback> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, problem: { field: 'body', message: 'must be a JSON object' } };
  }
  const input = body as Record<string, unknown>;
  const normalised: Record<string, unknown> = { ...input };
  const sentAs = new Map<string, string>();
  for (const [canonical, names] of ALIASES) {
    const name = names.find((n) => input[n] !== undefined && input[n] !== null);
    if (name === undefined) delete normalised[canonical];
    else {
      normalised[canonical] = input[name];
      sentAs.set(canonical, name);
    }
  }
  const level = normalised.level_number;
  if (typeof level === 'string' && /^\d{1,15}$/.test(level)) normalised.level_number = Number(level);
  if (!validator.Check(normalised)) {
    const problem = firstFieldProblem(validator.Errors(normalised));
    // Report a problem under the name the partner actually sent.
    return { ok: false, problem: { ...problem, field: sentAs.get(problem.field) ?? problem.field } };
  }
  const value = normalised;
  return {
    ok: true,
    value: {
      pid: value.pid,
      uid: value.uid.toLowerCase(),
      gid: value.gid,
      level_number: value.level_number,
      ...(value.reason === undefined ? {} : { reason: value.reason }),
    },
  };
}
