// Goals inside the recording transaction: the users' progress upserted (one statement for the
// goals of the transaction's events, deciding on each row it locks whether its event completes
// the goal), and only on a completion the goal's own event, its deliveries and its bonus.
import { jsonRecords, type JsonColumns, type SqlExecutor } from '../../db/executor.js';
import type { EventsTable } from '../../db/schema.js';
import { parseJson } from '../../db/schema.js';
import { appendLedger } from '../conversions/event-credit.js';
import type { NewEvent } from '../conversions/events-types.js';
import { insertDeliveries, insertEventOnce } from '../conversions/record-event.js';
import { blankEvent } from '../conversions/new-event.js';
import { MICROS_PER_COIN } from '../ledger/carry.js';
import { fullMask, GOAL_EVENT_TYPE, GOALS_SOURCE, goalFacts, matches, type Goal, type GoalConfig, type GoalFacts } from './definition.js';

/** What the intake decided an event does to a goal, and the goal's event should it complete. */
export interface GoalAdvance {
  goal: Pick<Goal, 'id' | 'name' | 'config' | 'createdAt'>;
  /** A group's conditions this event meets (bits), or 0 for a count. */
  bits: number;
  /** The goal's own event, should this event complete it: its id, its ledger entry, its deliveries. */
  completion: { eventId: string; ledgerEntryId: string; deliveries: Array<{ id: string; destinationId: string }> };
}

interface ProgressRow {
  goal_id: string;
  user_id: string;
  completions: number;
  completed_by: string | null;
  window_start: number;
}

/**
 * Recorded events (accepted, not held) advance their goals; any they complete is completed. One
 * statement for every goal of every event (over a network a batch's events share it), in rounds
 * when a user advances a goal more than once: a round holds each goal and user at most once, in order.
 */
export async function advanceGoals(db: SqlExecutor, recorded: ReadonlyArray<{ event: NewEvent; advances: readonly GoalAdvance[] }>): Promise<void> {
  let pending: Array<{ event: NewEvent & { userId: string }; advance: GoalAdvance }> = [];
  for (const { event, advances } of recorded) {
    if (event.userId !== null) for (const advance of advances) pending.push({ event: event as NewEvent & { userId: string }, advance });
  }
  while (pending.length > 0) {
    const keys = new Set<string>();
    const round: typeof pending = [];
    const later: typeof pending = [];
    for (const pair of pending) {
      const key = `${pair.advance.goal.id}\u0000${pair.event.userId}`;
      if (keys.has(key)) {
        later.push(pair);
      } else {
        keys.add(key);
        round.push(pair);
      }
    }
    const rows: ProgressRow[] = [];
    if (db.inProcess) {
      // In process a statement costs no round trip: each row bound as is beats one JSON to parse.
      for (const pair of round) rows.push(...(await db.query<ProgressRow>(advanceStatement(db, 'values'), progressRow(pair))));
    } else {
      rows.push(...(await db.query<ProgressRow>(advanceStatement(db, 'json'), [jsonRecords(PROGRESS_COLUMNS, round.map(progressRow))])));
    }
    const progress = new Map(rows.map((row) => [`${row.goal_id}\u0000${row.user_id}`, row]));
    for (const { event, advance } of round) {
      const row = progress.get(`${advance.goal.id}\u0000${event.userId}`);
      if (row?.completed_by === event.id) await recordCompletion(db, event, advance, Number(row.completions), Number(row.window_start));
    }
    pending = later;
  }
}

const PROGRESS_COLUMNS: JsonColumns = [
  ['goal_id', 'text'],
  ['user_id', 'text'],
  ['met', 'integer'],
  ['at', 'bigint'],
  ['completions', 'integer'],
  ['event_id', 'text'],
  ['completed_by', 'text'],
  ['kind', 'text'],
  ['full_mask', 'integer'],
  ['target', 'bigint'],
  ['repeat', 'integer'],
  ['window_ms', 'bigint'],
];

/** An event's row for the progress statement: what it meets, the goal's rule, and whether it completes the goal on its own (a first event). */
function progressRow({ event, advance }: { event: NewEvent; advance: GoalAdvance }): unknown[] {
  const { config } = advance.goal;
  const completesAtOnce = config.kind === 'all' ? advance.bits === fullMask(config) : config.count === 1;
  return [
    advance.goal.id,
    event.userId,
    advance.bits,
    event.receivedAt,
    completesAtOnce ? 1 : 0,
    event.id,
    completesAtOnce ? event.id : null,
    config.kind,
    config.kind === 'all' ? fullMask(config) : 0,
    config.kind === 'count' ? config.count : 0,
    config.kind === 'count' && config.repeat === true ? 1 : 0,
    config.windowSeconds === undefined ? null : config.windowSeconds * 1000,
  ];
}

const advanceTexts = new Map<'values' | 'json', string>();

/**
 * The users' progress, and on each locked row whether its event completes the goal: a group
 * when its last condition is met (once), a count at every `target`-th event when repeating,
 * else once. A window that has expired starts progress again from this event. Each row carries
 * its goal's rule (`excluded.*`), so one statement serves every goal.
 */
function advanceStatement(db: SqlExecutor, rows: 'values' | 'json'): string {
  const known = advanceTexts.get(rows);
  if (known !== undefined) return known;
  const expired = '(excluded.window_ms IS NOT NULL AND excluded.updated_at > goal_progress.window_start + excluded.window_ms)';
  const open = '(goal_progress.completions = 0)';
  const met = `(CASE WHEN ${expired} THEN excluded.met ELSE (goal_progress.met | excluded.met) END)`;
  const count = `(CASE WHEN ${expired} THEN 1 ELSE goal_progress.count + 1 END)`;
  const completes = `(CASE WHEN excluded.kind = 'all'
      THEN (CASE WHEN ${open} AND ${met} = excluded.full_mask THEN 1 ELSE 0 END)
      ELSE (CASE WHEN ${count} % NULLIF(excluded.target, 0) = 0 AND (excluded.repeat = 1 OR ${open}) THEN 1 ELSE 0 END) END)`;
  // SQLite parses INSERT … SELECT … ON CONFLICT only with a WHERE.
  const source =
    rows === 'values'
      ? 'SELECT ? AS goal_id, ? AS user_id, ? AS met, ? AS at, ? AS completions, ? AS event_id, ? AS completed_by, ? AS kind, ? AS full_mask, ? AS target, ? AS repeat, ? AS window_ms'
      : `SELECT * FROM ${db.recordsFromJson(PROGRESS_COLUMNS)}`;
  const text = `INSERT INTO goal_progress (goal_id, user_id, met, count, window_start, completions, last_event, completed_by, updated_at, kind, full_mask, target, repeat, window_ms)
  SELECT goal_id, user_id, met, 1, at, completions, event_id, completed_by, at, kind, full_mask, target, repeat, window_ms FROM (${source}) AS r WHERE true
  ON CONFLICT (goal_id, user_id) DO UPDATE SET
    met = CASE WHEN excluded.kind = 'all' AND ${open} THEN ${met} ELSE goal_progress.met END,
    count = CASE WHEN excluded.kind = 'count' THEN ${count} ELSE goal_progress.count + 1 END,
    window_start = CASE WHEN (excluded.kind = 'count' OR ${open}) AND ${expired} THEN excluded.window_start ELSE goal_progress.window_start END,
    completions = goal_progress.completions + ${completes},
    completed_by = CASE WHEN ${completes} = 1 THEN excluded.last_event ELSE goal_progress.completed_by END,
    last_event = excluded.last_event,
    updated_at = excluded.updated_at,
    kind = excluded.kind, full_mask = excluded.full_mask, target = excluded.target, repeat = excluded.repeat, window_ms = excluded.window_ms
  RETURNING goal_id, user_id, completions, completed_by, window_start`;
  advanceTexts.set(rows, text);
  return text;
}

function integer(n: number): string {
  if (!Number.isSafeInteger(n)) throw new Error(`not an integer: ${n}`);
  return String(n);
}

/**
 * The goal's own event, once per completion (its key is the goal, the user and the completion's
 * number, unique like any postback's), with the completing event's attribution (GG3's
 * `{clickId}`), its deliveries and its bonus.
 */
async function recordCompletion(db: SqlExecutor, by: NewEvent, advance: GoalAdvance, completion: number, windowStart: number): Promise<void> {
  const { goal, completion: made } = advance;
  // The goal's creation time in the key: a goal deleted and made again under its id starts afresh.
  const key = `${goal.id}:${goal.createdAt}:${by.userId}:${completion}`;
  const event: NewEvent = {
    ...blankEvent(GOALS_SOURCE, GOAL_EVENT_TYPE, by.receivedAt),
    id: made.eventId,
    externalId: key,
    userId: by.userId,
    appPid: by.appPid,
    clickId: by.clickId,
    partner: by.partner,
    linkId: by.linkId,
    partnerClickId: by.partnerClickId,
    traceContext: by.traceContext,
    metadata: { goal: goal.id, goalName: goal.name, completion, completedBy: await completedBy(db, by, goal.config, windowStart) },
  };
  const bonus = goal.config.bonusCoins ?? 0;
  const inserted = await insertEventOnce(db, event, { coins: bonus, rewardMicros: bonus === 0 ? null : bonus * MICROS_PER_COIN });
  if (!inserted) return;
  await insertDeliveries(db, event.id, event.receivedAt, made.deliveries);
  // Whole coins: nothing to carry.
  if (bonus > 0 && by.userId !== null) await appendLedger(db, by.userId, event.id, { ledgerEntryId: made.ledgerEntryId, coins: bonus, kind: 'goal' }, event.receivedAt);
}

/** The events that completed it: a group's latest event for each condition, a count's last events (at most 50). */
async function completedBy(db: SqlExecutor, by: NewEvent, config: GoalConfig, since: number): Promise<string[]> {
  const rows = await db.query<Pick<EventsTable, 'id' | 'type' | 'offer_id' | 'source' | 'level' | 'metadata'>>(
    "SELECT id, type, offer_id, source, level, metadata FROM events WHERE user_id = ? AND outcome = 'accepted' AND test = 0 AND received_at >= ? ORDER BY received_at DESC, id DESC LIMIT 1000",
    [by.userId, since],
  );
  const facts = [{ id: by.id, ...goalFacts(by) }, ...rows.filter((row) => row.id !== by.id).map((row) => ({ id: row.id, ...factsFromRow(row) }))];
  if (config.kind === 'count') return facts.filter((f) => matches(config.condition, f)).slice(0, Math.min(config.count, 50)).map((f) => f.id).reverse();
  return config.conditions.map((condition) => facts.find((f) => matches(condition, f))?.id ?? null).filter((id): id is string => id !== null);
}

function factsFromRow(row: Pick<EventsTable, 'type' | 'offer_id' | 'source' | 'level' | 'metadata'>): GoalFacts {
  return goalFacts({ type: row.type, offerId: row.offer_id, source: row.source, level: row.level === null ? null : Number(row.level), metadata: parseJson<Record<string, unknown>>(row.metadata) });
}

/**
 * A reversal takes its original back out of every goal it counted toward that has not
 * completed (a completed goal stays completed): a group's conditions it met are unmet again,
 * a count is one less. Only if the original fell in the progress's current window.
 */
export async function retreatGoals(db: SqlExecutor, original: { id: string; userId: string | null; receivedAt: number; facts: GoalFacts }, goals: ReadonlyArray<Pick<Goal, 'id' | 'config' | 'enabled'>>): Promise<void> {
  if (original.userId === null) return;
  for (const goal of goals) {
    if (goal.config.kind === 'all') {
      let bits = 0;
      goal.config.conditions.forEach((condition, i) => {
        if (matches(condition, original.facts)) bits |= 1 << i;
      });
      if (bits === 0) continue;
      await db.query(`UPDATE goal_progress SET met = met & ${integer(~bits & fullMask(goal.config))} WHERE goal_id = ? AND user_id = ? AND completions = 0 AND window_start <= ?`, [goal.id, original.userId, original.receivedAt]);
    } else if (matches(goal.config.condition, original.facts)) {
      // Repeating: only what counts toward the next completion (a count past the last one).
      const open = goal.config.repeat === true ? `count % ${integer(goal.config.count)} <> 0` : 'completions = 0';
      await db.query(`UPDATE goal_progress SET count = count - 1 WHERE goal_id = ? AND user_id = ? AND count > 0 AND ${open} AND window_start <= ?`, [goal.id, original.userId, original.receivedAt]);
    }
  }
}
