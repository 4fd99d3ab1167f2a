// What an event credits, decided and written inside its recording transaction: a reversal's
// negative credit, the daily cap, the credit a held event keeps aside for the review, and the
// ledger entry with the balance it moves.
import { jsonRecords, type JsonColumns, type SqlExecutor } from '../../db/executor.js';
import { parseJson, type EventsTable, type UsersTable } from '../../db/schema.js';
import { goalFacts, type GoalFacts } from '../goals/definition.js';
import { userFromRow } from '../ledger/users-dal.js';
import type { NewEvent, RecordEventCommand, RecordEventResult } from './events-types.js';
import { dedupeKeyOf } from './new-event.js';
import { capFlags, reviewOf, type ConversionCounts, type FraudFlag } from './fraud.js';
import { applyDailyCap } from './reward-rules.js';
import { carry, fractionOf, MICROS_PER_COIN, wholeCoins } from '../ledger/carry.js';
import { FEED_CHANNEL } from '../reward-app/feed-sql.js';

type Credit = RecordEventCommand['credit'];

/** What a reversal found of the event it reverses, for the goals it counted toward. */
export interface ReversedEvent {
  id: string;
  userId: string | null;
  receivedAt: number;
  facts: GoalFacts;
}

/**
 * A reversal takes back what the accepted event it names credited, under a key of its own;
 * refused when there is no such event, or it is another user's.
 */
export async function reversalCredit(
  db: SqlExecutor,
  command: RecordEventCommand,
  reversalOf: string,
): Promise<{ ok: true; dedupeKey: string; credit: Credit; original: ReversedEvent } | { ok: false; detail: string }> {
  const { event } = command;
  // A test reversal reverses a test postback only: its key is looked up among the tests'.
  const key = dedupeKeyOf(event, reversalOf);
  const [original] = await db.query<Pick<EventsTable, 'id' | 'coins' | 'reward_micros' | 'user_id' | 'type' | 'offer_id' | 'source' | 'level' | 'metadata' | 'received_at'>>(
    "SELECT id, coins, reward_micros, user_id, type, offer_id, source, level, metadata, received_at FROM events WHERE source = ? AND dedupe_key = ? AND outcome = 'accepted'",
    [event.source, key],
  );
  if (original === undefined || original.user_id !== event.userId) {
    return { ok: false, detail: original === undefined ? `no accepted postback "${reversalOf}" to reverse` : `postback "${reversalOf}" belongs to another user` };
  }
  event.metadata = { ...event.metadata, reverses: original.id, reversesExternalId: reversalOf };
  return {
    ok: true,
    // Its own key, so the same reversal twice is a duplicate and takes back only once.
    dedupeKey: `reversal:${key}`,
    // The exact reward that stands (before 0006 only whole coins were kept).
    credit: { ledgerEntryId: command.credit?.ledgerEntryId ?? event.id, micros: -(original.reward_micros === null ? Number(original.coins) * MICROS_PER_COIN : Number(original.reward_micros)), kind: 'reversal' },
    original: {
      id: original.id,
      userId: original.user_id,
      receivedAt: Number(original.received_at),
      facts: goalFacts({ type: original.type, offerId: original.offer_id, source: original.source, level: original.level === null ? null : Number(original.level), metadata: parseJson<Record<string, unknown>>(original.metadata) }),
    },
  };
}

/** The credit cut to what the user's daily cap from this source leaves, counted inside the transaction. */
export async function dailyCapped(db: SqlExecutor, command: RecordEventCommand, credit: Credit): Promise<Credit> {
  const { event, dailyCap } = command;
  // Only a credit is capped; a reversal's take-back never is.
  if (!(dailyCap !== undefined && credit !== null && credit.micros > 0)) return credit;
  const [row] = await db.query<{ credited: number }>(
    "SELECT COALESCE(SUM(coins), 0) AS credited FROM events WHERE user_id = ? AND source = ? AND outcome = 'accepted' AND coins > 0 AND received_at >= ?",
    [event.userId, event.source, dailyCap.since],
  );
  const capped = applyDailyCap(credit.micros, dailyCap.coins, Number(row?.credited ?? 0));
  if (capped.note !== null) event.metadata = { ...event.metadata, rewardNote: capped.note };
  return capped.micros === 0 ? null : { ...credit, micros: capped.micros };
}

/** The screening's findings: the caller's, and the caps' counted now, inside the transaction. */
export async function screeningFlags(db: SqlExecutor, command: RecordEventCommand, credit: Credit): Promise<FraudFlag[]> {
  const { event, screening } = command;
  const flags = screening?.flags ?? [];
  if (screening?.caps == null || event.userId === null) return flags;
  return [...flags, ...capFlags(screening.caps, await conversionCounts(db, event, screening.since), (credit?.micros ?? 0) > 0)];
}

/** What screening decided: a held event keeps its credit and deliveries aside for the review. */
export function screen(command: RecordEventCommand, credit: Credit, flags: readonly FraudFlag[]) {
  const review = reviewOf(flags);
  if (review !== 'held') return { credit, deliveries: command.deliveries ?? [], review };
  if (credit !== null) command.event.metadata = { ...command.event.metadata, heldCredit: { micros: credit.micros, kind: credit.kind } };
  return { credit: null, deliveries: [], review };
}

/**
 * The event was inserted (with `wholeCoins` of its reward as its coins): its credit, the
 * fraction carried, and the result (with the user's row where it is wanted).
 */
export async function creditAccepted(db: SqlExecutor, command: RecordEventCommand, credit: Credit): Promise<RecordEventResult> {
  const { event } = command;
  if (event.userId === null || credit === null || credit.micros === 0) {
    if (event.userId === null || command.noUserInResult === true) return { outcome: 'accepted', eventId: event.id, coins: 0, user: null };
    const user = await getUserRow(db, event.userId);
    return { outcome: 'accepted', eventId: event.id, coins: 0, user: user === undefined ? null : userFromRow(user) };
  }
  const [coins = 0] = await creditCoins(db, [{ userId: event.userId, eventId: event.id, source: event.source, micros: credit.micros, at: event.receivedAt }]);
  if (coins === 0 && command.noUserInResult === true) return { outcome: 'accepted', eventId: event.id, coins, user: null };
  const user = coins !== 0 ? await appendLedger(db, event.userId, event.id, { ...credit, coins }, event.receivedAt) : await getUserRow(db, event.userId);
  return { outcome: 'accepted', eventId: event.id, coins, user: user === undefined ? null : userFromRow(user) };
}

interface ExactCredit {
  userId: string;
  /** The event inserted with `wholeCoins(micros)` as its coins, corrected if the carry changes them. */
  eventId?: string;
  source: string;
  /** The exact reward, signed (micro-coins). */
  micros: number;
  at: number;
}

/**
 * The whole coins each exact reward credits now, in order, each user's fraction per source
 * carried (ledger/carry.ts): one statement for every reward with a fraction, none when every
 * reward is whole. An event whose coins differ from the whole coins it was inserted with
 * (`wholeCoins`: the carry completed a coin, or a take-back borrowed one) is corrected.
 */
export async function creditCoins(db: SqlExecutor, credits: readonly ExactCredit[]): Promise<number[]> {
  // Every postback's path: whole rewards (most rules) need nothing carried, and nothing built.
  if (credits.every((c) => c.micros % MICROS_PER_COIN === 0)) return credits.map((c) => c.micros / MICROS_PER_COIN);
  const added = new Map<string, { userId: string; source: string; micros: number; at: number; remainder: number }>();
  for (const c of credits) {
    const fraction = fractionOf(c.micros);
    if (fraction === 0) continue;
    const key = `${c.userId}\u0000${c.source}`;
    const pair = added.get(key);
    if (pair === undefined) added.set(key, { userId: c.userId, source: c.source, micros: fraction, at: c.at, remainder: 0 });
    else Object.assign(pair, { micros: (pair.micros + fraction) % MICROS_PER_COIN, at: Math.max(pair.at, c.at) });
  }
  const pairs = [...added.values()];
  const rows = await db.query<{ user_id: string; source: string; micros: number }>(carryStatement(db), [jsonRecords(CARRY_COLUMNS, pairs.map((p) => [p.userId, p.source, p.micros, p.at]))]);
  // What was carried before this transaction: the remainder now, less what was added.
  for (const row of rows) {
    const pair = added.get(`${row.user_id}\u0000${row.source}`)!;
    pair.remainder = fractionOf(Number(row.micros) - pair.micros);
  }
  const corrected: unknown[][] = [];
  const coins = credits.map((c) => {
    const pair = added.get(`${c.userId}\u0000${c.source}`);
    if (pair === undefined) return wholeCoins(c.micros);
    const step = carry(pair.remainder, c.micros);
    pair.remainder = step.remainder;
    if (c.eventId !== undefined && step.coins !== wholeCoins(c.micros)) corrected.push([c.eventId, step.coins]);
    return step.coins;
  });
  if (corrected.length > 0) await db.query(`UPDATE events SET coins = v.coins FROM ${db.recordsFromJson(CORRECTED_COLUMNS)} WHERE events.id = v.id`, [jsonRecords(CORRECTED_COLUMNS, corrected)]);
  return coins;
}

const CARRY_COLUMNS: JsonColumns = [
  ['user_id', 'text'],
  ['source', 'text'],
  ['micros', 'bigint'],
  ['at', 'bigint'],
];

const CORRECTED_COLUMNS: JsonColumns = [
  ['id', 'text'],
  ['coins', 'bigint'],
];

let carryText: string | undefined;

/** Adds each pair's fraction to what it carries (modulo one coin) and returns the new remainders. */
function carryStatement(db: SqlExecutor): string {
  // SQLite parses INSERT … SELECT … ON CONFLICT only with a WHERE.
  carryText ??= `INSERT INTO reward_carry (user_id, source, micros, updated_at)
  SELECT user_id, source, micros, at FROM ${db.recordsFromJson(CARRY_COLUMNS)} WHERE true
  ON CONFLICT (user_id, source) DO UPDATE SET micros = (reward_carry.micros + excluded.micros) % ${MICROS_PER_COIN}, updated_at = excluded.updated_at
  RETURNING user_id, source, micros`;
  return carryText;
}

/**
 * `creditAccepted` for many inserted events at once, over a network: every ledger entry, every
 * balance, every feed row and every user row the results carry in one statement (and the carry
 * in one more when a reward has a fraction). A user credited twice in the batch is moved once
 * by the sum, and each of those results carries the balance after both.
 */
export async function creditAcceptedTogether(db: SqlExecutor, accepted: ReadonlyArray<{ command: RecordEventCommand; credit: Credit }>): Promise<RecordEventResult[]> {
  const exact: ExactCredit[] = [];
  for (const { command, credit } of accepted) {
    const { event } = command;
    if (credit !== null && credit.micros !== 0 && event.userId !== null) exact.push({ userId: event.userId, eventId: event.id, source: event.source, micros: credit.micros, at: event.receivedAt });
  }
  const coins = new Map<string, number>();
  if (exact.length > 0) (await creditCoins(db, exact)).forEach((n, i) => coins.set(exact[i]!.eventId!, n));
  const rows: unknown[][] = [];
  for (const { command, credit } of accepted) {
    const { event } = command;
    const credited = coins.get(event.id) ?? 0;
    if (credit !== null && credited !== 0) rows.push([credit.ledgerEntryId, event.userId, event.id, credited, credit.kind, event.receivedAt]);
    else if (event.userId !== null && command.noUserInResult !== true) rows.push([null, event.userId, event.id, 0, null, event.receivedAt]);
  }
  const users = new Map<string, UsersTable>();
  if (rows.length > 0) {
    let fed = false;
    for (const row of await db.query<UsersTable & { fed: number }>(creditsStatement(db), [jsonRecords(CREDIT_COLUMNS, rows)])) {
      users.set(row.id, row);
      fed ||= Number(row.fed) > 0;
    }
    if (fed) await db.notify(FEED_CHANNEL);
  }
  return accepted.map(({ command: { event, noUserInResult } }) => {
    const credited = coins.get(event.id) ?? 0;
    if (event.userId === null) return { outcome: 'accepted', eventId: event.id, coins: 0, user: null };
    const wanted = credited !== 0 || noUserInResult !== true;
    const user = wanted ? users.get(event.userId) : undefined;
    return { outcome: 'accepted', eventId: event.id, coins: credited, user: user === undefined ? null : userFromRow(user) };
  });
}

const CREDIT_COLUMNS: JsonColumns = [
  ['id', 'text'],
  ['user_id', 'text'],
  ['event_id', 'text'],
  ['delta', 'bigint'],
  ['kind', 'text'],
  ['at', 'bigint'],
];

let creditsText: string | undefined;

/**
 * The ledger entries, the balances they move (once per user), the feed rows of users who belong
 * to an app, and the rows of every user named: one statement (a data-modifying WITH).
 */
function creditsStatement(db: SqlExecutor): string {
  creditsText ??= `WITH c AS (SELECT * FROM ${db.recordsFromJson(CREDIT_COLUMNS)}),
  l AS (INSERT INTO ledger_entries (id, user_id, event_id, delta, kind, created_at) SELECT id, user_id, event_id, delta, kind, at FROM c WHERE delta <> 0),
  s AS (SELECT user_id, SUM(delta) AS delta, MAX(at) AS at FROM c WHERE delta <> 0 GROUP BY user_id),
  b AS (UPDATE users SET coins = users.coins + s.delta, updated_at = s.at FROM s WHERE users.id = s.user_id RETURNING users.*),
  f AS (INSERT INTO credit_feed (app_pid, entry_id, user_id) SELECT b.app_id, c.id, c.user_id FROM c JOIN b ON b.id = c.user_id WHERE c.delta <> 0 AND b.app_id IS NOT NULL RETURNING 1)
  SELECT b.*, (SELECT COUNT(*) FROM f) AS fed FROM b
  UNION ALL SELECT users.*, 0 AS fed FROM users WHERE id IN (SELECT user_id FROM c WHERE delta = 0) AND id NOT IN (SELECT id FROM b)`;
  return creditsText;
}

/**
 * A ledger entry, the balance it changes and, for a user of an app, the entry's place in the
 * app's credit feed, together; returns the user's row after it.
 */
export async function appendLedger(
  db: SqlExecutor,
  userId: string,
  eventId: string | null,
  credit: { ledgerEntryId: string; coins: number; kind: string; note?: string },
  at: number,
): Promise<UsersTable | undefined> {
  await db.query('INSERT INTO ledger_entries (id, user_id, event_id, delta, kind, created_at, note) VALUES (?, ?, ?, ?, ?, ?, ?)', [
    credit.ledgerEntryId,
    userId,
    eventId,
    credit.coins,
    credit.kind,
    at,
    credit.note ?? null,
  ]);
  const [row] = await db.query<UsersTable>('UPDATE users SET coins = coins + ?, updated_at = ? WHERE id = ? RETURNING *', [credit.coins, at, userId]);
  if (row?.app_id != null) {
    await db.query('INSERT INTO credit_feed (app_pid, entry_id, user_id) VALUES (?, ?, ?)', [row.app_id, credit.ledgerEntryId, userId]);
    await db.notify(FEED_CHANNEL);
  }
  return row;
}

async function getUserRow(db: SqlExecutor, userId: string): Promise<UsersTable | undefined> {
  const [row] = await db.query<UsersTable>('SELECT * FROM users WHERE id = ?', [userId]);
  return row;
}

/** Earlier conversions the caps count: accepted events, less those rejected in review, and no test postback. */
async function conversionCounts(db: SqlExecutor, event: NewEvent, since: number): Promise<ConversionCounts> {
  const live = "outcome = 'accepted' AND (review IS NULL OR review <> 'rejected') AND test = 0";
  const [row] = await db.query<Record<keyof ConversionCounts, number>>(
    `SELECT
       (SELECT COUNT(*) FROM events WHERE user_id = ? AND received_at >= ? AND ${live}) AS "userToday",
       (SELECT COUNT(*) FROM events WHERE offer_id = ? AND received_at >= ? AND ${live}) AS "offerToday",
       (SELECT COUNT(*) FROM events WHERE user_id = ? AND offer_id = ? AND ${live}) AS "userOffer",
       (SELECT COUNT(*) FROM ledger_entries l JOIN events e ON e.id = l.event_id
          WHERE l.user_id = ? AND e.offer_id = ? AND l.delta > 0) AS "userOfferCredited"`,
    [event.userId, since, event.offerId, since, event.userId, event.offerId, event.userId, event.offerId],
  );
  return {
    userToday: Number(row?.userToday ?? 0),
    offerToday: Number(row?.offerToday ?? 0),
    userOffer: Number(row?.userOffer ?? 0),
    userOfferCredited: Number(row?.userOfferCredited ?? 0),
  };
}
