import { procedure } from '../../db/procedure.js';
import { jsonRecords, type JsonColumns, type SqlExecutor } from '../../db/executor.js';
import { EVENT_COLUMNS } from './events-dal.js';
import { creditAccepted, creditAcceptedTogether, dailyCapped, reversalCredit, screen, screeningFlags, type ReversedEvent } from './event-credit.js';
import { advanceGoals, retreatGoals } from '../goals/goal-sql.js';
import type { EventVerdict, MissingReference, NewEvent, RecordEventCommand, RecordEventResult } from './events-types.js';
import { DELIVERIES_CHANNEL } from '../delivery/deliveries-sql.js';
import { wholeCoins } from '../ledger/carry.js';
import { dedupeKeyOf } from './new-event.js';

/**
 * The recording transaction, written once for both dialects and run by the write channel
 * inside a group commit's transaction (concurrent postbacks on PostgreSQL: `together`).
 * De-duplication rests on the unique index (source, dedupe_key), not on a read-then-insert, so
 * concurrent identical postbacks cannot both be accepted: the loser's insert does nothing and it
 * is recorded as a duplicate of the winner.
 */
export const recordEvent = procedure(
  async (db, command: RecordEventCommand): Promise<RecordEventResult> => {
    const { result, queued } = await recordOne(db, command);
    if (queued) await announceDeliveries(db);
    return result;
  },
  // Concurrent postbacks in one group commit: recorded as one batch.
  { together: (db, commands) => recordMany(db, commands) },
);

/** Several events in the caller's transaction, in order: all recorded, or (on an error) none. */
export const recordEvents = procedure(async (db, commands: readonly RecordEventCommand[]): Promise<RecordEventResult[]> => recordMany(db, commands), {
  together: async (db, batches) => {
    const results = await recordMany(db, batches.flat());
    let next = 0;
    return batches.map((batch) => results.slice(next, (next += batch.length)));
  },
});

/**
 * Events in order, as one after the other. Over a network, those that need nothing read before
 * their insert go in together (`recordTogether`): a fixed number of statements, however many.
 */
async function recordMany(db: SqlExecutor, commands: readonly RecordEventCommand[]): Promise<RecordEventResult[]> {
  const results = new Array<RecordEventResult>(commands.length);
  const together = db.inProcess ? [] : [...commands.keys()].filter((i) => recordableTogether(commands[i]!));
  let queued = false;
  if (together.length > 1) {
    const batch = await recordTogether(db, together.map((i) => commands[i]!));
    for (const [k, i] of together.entries()) results[i] = batch.results[k]!;
    queued = batch.queued;
  }
  // The rest after the batch: one event's key is never in both (what decides it is the source's).
  for (const [i, command] of commands.entries()) {
    if (results[i] !== undefined) continue;
    const one = await recordOne(db, command);
    results[i] = one.result;
    queued ||= one.queued;
  }
  if (queued) await announceDeliveries(db);
  return results;
}

/**
 * A batch whose events need nothing read before their insert (no reversal, daily cap or cap
 * counts), none of them requiring the user it creates (the parts of one statement do not see
 * each other's rows): on PostgreSQL the users, the events and their
 * deliveries go in as one statement, not one round trip per event.
 */
function recordableTogether(command: RecordEventCommand): boolean {
  return (
    !command.event.test &&
    command.reversalOf === undefined &&
    command.dailyCap === undefined &&
    command.screening?.caps == null &&
    !(command.ensureUser === true && command.event.userId !== null && command.requires.userId != null)
  );
}

/**
 * The statement inserts in the batch's order and skips a taken key, so the first of two
 * events with the same key wins, as one after the other; the credits of those inserted are a
 * second statement. Whatever it did not insert is then looked at one by one, as `recordOne`
 * does: a missing required row, or a duplicate. `queued`: deliveries the statement did not
 * announce itself.
 */
async function recordTogether(db: SqlExecutor, commands: readonly RecordEventCommand[]): Promise<{ results: RecordEventResult[]; queued: boolean }> {
  const screened = commands.map((command) => screen(command, command.credit, command.screening?.flags ?? []));
  const events = commands.map(({ event, requires, ensureUser }, i) => {
    const { credit, review } = screened[i]!;
    return [
      i,
      ...eventParams(event, { outcome: 'accepted', dedupeKey: event.externalId, flags: commands[i]!.screening?.flags ?? [], review, ...rewardOf(event, credit) }),
      ensureUser === true && event.userId !== null ? 1 : 0,
      requires.appPid ?? null,
      requires.offerId ?? null,
      requires.userId ?? null,
    ];
  });
  const deliveries = commands.flatMap(({ event }, i) => screened[i]!.deliveries.map((d) => [d.id, event.id, d.destinationId, event.receivedAt]));
  const inserted = new Set((await db.query<{ id: string }>(batchStatement(db), [jsonRecords(BATCH_EVENT_COLUMNS, events), jsonRecords(BATCH_DELIVERY_COLUMNS, deliveries)])).map((row) => row.id));
  const accepted = [...commands.keys()].filter((i) => inserted.has(commands[i]!.event.id));
  const credited = await creditAcceptedTogether(db, accepted.map((i) => ({ command: commands[i]!, credit: screened[i]!.credit })));
  // A held event advances no goal: it may yet be rejected.
  const advancing = accepted.filter((i) => commands[i]!.goals !== undefined && screened[i]!.review !== 'held');
  if (advancing.length > 0) await advanceGoals(db, advancing.map((i) => ({ event: commands[i]!.event, advances: commands[i]!.goals! })));
  const results = new Array<RecordEventResult>(commands.length);
  for (const [k, i] of accepted.entries()) results[i] = credited[k]!;
  // What the statement queued it announced itself where SQL can notify; only a second try's
  // deliveries are left.
  let queued = db.notifyingSelect(DELIVERIES_CHANNEL) === null && deliveries.length > 0;
  for (const [i, command] of commands.entries()) {
    if (results[i] !== undefined) continue;
    const one = await notInserted(db, command, command.event.externalId, 1);
    results[i] = one.result;
    queued ||= one.queued;
  }
  return { results, queued };
}

/** One event; `queued` says it queued deliveries (workers are told once per transaction). */
async function recordOne(db: SqlExecutor, given: RecordEventCommand, attempt = 1): Promise<{ result: RecordEventResult; queued: boolean }> {
  const command = asTest(given);
  const { event, requires } = command;
  const ensureUser = command.ensureUser === true && event.userId !== null;
  // Over a network each statement is a round trip: the user, the event and its deliveries go
  // in as one statement there (data-modifying WITH). Not when the event requires that user,
  // as a WITH's parts do not see each other's rows.
  const together = !db.inProcess && !(ensureUser && requires.userId != null);
  if (ensureUser && !together) await db.query(ENSURE_USER, ensureUserParams(event));
  let credit = command.credit;
  let dedupeKey = dedupeKeyOf(event, event.externalId);
  let reversed: ReversedEvent | null = null;
  if (command.reversalOf !== undefined) {
    const reversal = await reversalCredit(db, command, command.reversalOf);
    if (!reversal.ok) {
      await insertEvent(db, event, { outcome: 'rejected', reason: 'original_not_found', detail: reversal.detail });
      return { result: { outcome: 'rejected', eventId: event.id, reason: 'original_not_found' }, queued: false };
    }
    ({ dedupeKey, credit, original: reversed } = reversal);
    // A test reversal takes back nothing: its original credited nothing.
    if (event.test) credit = null;
  }
  credit = await dailyCapped(db, command, credit);
  // Fraud screening: a held event keeps its credit and deliveries aside for the review.
  const flags = await screeningFlags(db, command, credit);
  const screened = screen(command, credit, flags);
  credit = screened.credit;
  const { deliveries, review } = screened;
  // The happy path is one statement: insert if every required row exists and the key is new.
  // Only when nothing was inserted do we look at why.
  const insertParams = [...eventParams(event, { outcome: 'accepted', dedupeKey, flags, review, ...rewardOf(event, credit) }), ...referenceParams(requires)];
  const inserted = together
    ? await db.query<{ id: string }>(insertTogether(db, ensureUser, deliveries.length > 0), [
        ...(ensureUser ? ensureUserParams(event) : []),
        ...insertParams,
        ...(deliveries.length > 0 ? deliveryParams(event.receivedAt, deliveries) : []),
      ])
    : await db.query<{ id: string }>(INSERT_IF_REFERENCED, insertParams);
  if (inserted.length === 0) return notInserted(db, command, dedupeKey, attempt);
  if (!together) await insertDeliveries(db, event.id, event.receivedAt, deliveries, false);
  const result = await creditAccepted(db, command, credit);
  // A held event advances no goal: it may yet be rejected.
  if (command.goals !== undefined && review !== 'held') await advanceGoals(db, [{ event, advances: command.goals }]);
  if (reversed !== null && command.goalsToRetreat !== undefined) await retreatGoals(db, reversed, command.goalsToRetreat);
  return { result, queued: deliveries.length > 0 };
}

/**
 * A test postback is recorded as a real one would be, but touches no real user, whoever sent
 * the command: no credit (no ledger entry, balance, carried fraction or feed entry), no user
 * created, no goal advanced or taken back, no daily cap counted.
 */
function asTest(command: RecordEventCommand): RecordEventCommand {
  if (!command.event.test) return command;
  const { goals: _goals, goalsToRetreat: _retreat, dailyCap: _cap, ...rest } = command;
  return { ...rest, credit: null, ensureUser: false };
}

/** An accepted event under its own key, unless the key is taken (then nothing): whether it was inserted. */
export async function insertEventOnce(db: SqlExecutor, event: NewEvent, reward: { coins: number; rewardMicros: number | null }): Promise<boolean> {
  const rows = await db.query<{ id: string }>(`${INSERT_EVENT} ON CONFLICT (source, dedupe_key) DO NOTHING RETURNING id`, eventParams(event, { outcome: 'accepted', dedupeKey: event.externalId, ...reward }));
  return rows.length > 0;
}

/** Nothing was inserted: a required row is missing, or the key is taken (a duplicate). */
async function notInserted(db: SqlExecutor, command: RecordEventCommand, dedupeKey: string | null, attempt: number): Promise<{ result: RecordEventResult; queued: boolean }> {
  const { event, requires } = command;
  const missing = await findMissingReference(db, requires);
  if (missing !== null) {
    await insertEvent(db, event, { outcome: 'rejected', reason: missing, detail: MISSING_DETAIL[missing](requires) });
    return { result: { outcome: 'rejected', eventId: event.id, reason: missing }, queued: false };
  }
  const [original] = await db.query<{ id: string }>('SELECT id FROM events WHERE source = ? AND dedupe_key = ?', [event.source, dedupeKey]);
  if (original === undefined) {
    // Neither missing nor taken: a referenced row appeared between the two statements
    // (possible under READ COMMITTED). Nothing was written yet; try once more.
    if (attempt < 3) return recordOne(db, command, attempt + 1);
    throw new Error('event neither inserted, rejected nor duplicate');
  }
  await insertEvent(db, event, { outcome: 'duplicate', duplicateOf: original.id });
  return { result: { outcome: 'duplicate', eventId: event.id, duplicateOf: original.id }, queued: false };
}

export async function insertDeliveries(db: SqlExecutor, eventId: string, at: number, deliveries: ReadonlyArray<{ id: string; destinationId: string }>, announce = true): Promise<void> {
  for (const delivery of deliveries) {
    // From the destination's row: one deleted since the event was matched gets no delivery
    // (the deletion came first), rather than failing the whole recording on its foreign key.
    await db.query(
      `INSERT INTO deliveries (id, event_id, destination_id, state, attempts, next_attempt_at, created_at, updated_at)
       SELECT ?, ?, t.id, 'pending', 0, ${DUE_UNLESS_HELD}, ?, ? FROM destinations t WHERE t.id = ?`,
      [delivery.id, eventId, at, at, at, delivery.destinationId],
    );
  }
  if (announce && deliveries.length > 0) await announceDeliveries(db);
}

/**
 * Workers, in this process and others, wake at commit instead of at their next poll: once per
 * transaction (over a network each notification is a round trip).
 */
async function announceDeliveries(db: SqlExecutor): Promise<void> {
  await db.notify(DELIVERIES_CHANNEL);
}

/** A request refused before it became an event (bad auth, bad body, …), recorded with its reason. */
export const recordRejection = procedure(
  async (db, { event, reason, detail }: Rejection): Promise<void> => {
    await insertEvent(db, event, { outcome: 'rejected', reason, detail });
  },
  // A burst of refused requests (a partner's wrong secret, a scan) in one statement.
  {
    together: async (db, rejections) => {
      const rows = rejections.map(({ event, reason, detail }) => eventParams(event, { outcome: 'rejected', reason, detail }));
      await db.query(insertEventsStatement(db), [jsonRecords(EVENT_JSON_COLUMNS, rows)]);
      return rejections.map(() => undefined);
    },
  },
);

interface Rejection {
  event: NewEvent;
  reason: string;
  detail: string;
}


const MISSING_DETAIL: Record<MissingReference, (r: RecordEventCommand['requires']) => string> = {
  unknown_app: (r) => `pid "${r.appPid}" is not a registered store app`,
  unknown_offer: (r) => `game "${r.offerId}" is not in the reward games catalog`,
  unknown_user: (r) => `no user with id "${r.userId}"`,
};

/** A null reference is not required. */
const REFERENCES_EXIST = `(CAST(? AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM store_apps WHERE pid = ?))
  AND (CAST(? AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM offers WHERE id = ?))
  AND (CAST(? AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM users WHERE id = ?))`;

function referenceParams(requires: RecordEventCommand['requires']): unknown[] {
  const appPid = requires.appPid ?? null;
  const offerId = requires.offerId ?? null;
  const userId = requires.userId ?? null;
  return [appPid, appPid, offerId, offerId, userId, userId];
}

/** Which required row is missing, in the order apps, offers, users; one round trip. */
async function findMissingReference(db: SqlExecutor, requires: RecordEventCommand['requires']): Promise<MissingReference | null> {
  const [row] = await db.query<{ app: number; offer: number; usr: number }>(
    `SELECT
       CASE WHEN CAST(? AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM store_apps WHERE pid = ?) THEN 1 ELSE 0 END AS app,
       CASE WHEN CAST(? AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM offers WHERE id = ?) THEN 1 ELSE 0 END AS offer,
       CASE WHEN CAST(? AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM users WHERE id = ?) THEN 1 ELSE 0 END AS usr`,
    referenceParams(requires),
  );
  if (row === undefined) throw new Error('reference check returned no row');
  if (Number(row.app) !== 1) return 'unknown_app';
  if (Number(row.offer) !== 1) return 'unknown_offer';
  if (Number(row.usr) !== 1) return 'unknown_user';
  return null;
}


const EVENT_COLUMN_LIST = EVENT_COLUMNS.join(', ');

const EVENT_PLACEHOLDERS = EVENT_COLUMNS.map(() => '?').join(', ');

const INSERT_EVENT = `INSERT INTO events (${EVENT_COLUMN_LIST}) VALUES (${EVENT_PLACEHOLDERS})`;

// SQLite needs the WHERE to parse SELECT … ON CONFLICT; PostgreSQL types the SELECT list
// from the target columns.
const INSERT_IF_REFERENCED = `INSERT INTO events (${EVENT_COLUMN_LIST})
  SELECT ${EVENT_PLACEHOLDERS}
  WHERE ${REFERENCES_EXIST}
  ON CONFLICT (source, dedupe_key) DO NOTHING RETURNING id`;

/**
 * A new delivery is due at once, unless its destination `t` is paused or disabled: then it is
 * parked (no due time) until the resume, out of the due index the claims walk. Otherwise a big
 * paused backlog would be stepped over by every claim for every other destination.
 */
const DUE_UNLESS_HELD = dueUnlessHeld('CAST(? AS BIGINT)');

function dueUnlessHeld(at: string): string {
  return `CASE WHEN t.enabled = 1 AND t.paused_at IS NULL THEN ${at} END`;
}

const ENSURE_USER = 'INSERT INTO users (id, app_id, device_id, coins, created_at, updated_at) VALUES (?, NULL, NULL, 0, ?, ?) ON CONFLICT (id) DO NOTHING';

function ensureUserParams(event: NewEvent): unknown[] {
  return [event.userId, event.receivedAt, event.receivedAt];
}

const DELIVERY_COLUMNS: JsonColumns = [
  ['id', 'text'],
  ['destination_id', 'text'],
];

function deliveryParams(at: number, deliveries: ReadonlyArray<{ id: string; destinationId: string }>): unknown[] {
  return [at, at, at, jsonRecords(DELIVERY_COLUMNS, deliveries.map((d) => [d.id, d.destinationId]))];
}

const togetherStatements = new Map<string, string>();

/** The user (if ensured), the event if referenced and new, and its deliveries: one statement. */
function insertTogether(db: SqlExecutor, ensureUser: boolean, withDeliveries: boolean): string {
  const key = `${ensureUser}/${withDeliveries}`;
  let statement = togetherStatements.get(key);
  if (statement === undefined) {
    const parts = [...(ensureUser ? [`u AS (${ENSURE_USER})`] : []), `e AS (${INSERT_IF_REFERENCED})`];
    if (withDeliveries) {
      // Joined: a destination deleted since the event was matched gets no delivery (as above).
      parts.push(`d AS (INSERT INTO deliveries (id, event_id, destination_id, state, attempts, next_attempt_at, created_at, updated_at)
        SELECT v.id, e.id, v.destination_id, 'pending', 0, ${DUE_UNLESS_HELD}, ?, ?
        FROM e CROSS JOIN ${db.recordsFromJson(DELIVERY_COLUMNS)} JOIN destinations t ON t.id = v.destination_id)`);
    }
    statement = `WITH ${parts.join(',\n')}\nSELECT id FROM e`;
    togetherStatements.set(key, statement);
  }
  return statement;
}

/**
 * An accepted event's reward as inserted: the exact credit and its whole coins, which the carry
 * may still correct (event-credit.ts `creditCoins`). A held event's, or one without a user, is none.
 */
function rewardOf(event: NewEvent, credit: RecordEventCommand['credit']): { coins: number; rewardMicros: number | null } {
  if (credit === null || event.userId === null) return { coins: 0, rewardMicros: null };
  return { coins: wholeCoins(credit.micros), rewardMicros: credit.micros };
}

/** The store's verdict as written: what is not given is null (no coins, no flags). */
type Outcome = Pick<EventVerdict, 'outcome'> & Partial<EventVerdict> & { dedupeKey?: string | null };

/** An event's row values, in `EVENT_COLUMNS`' order. */
function eventParams(e: NewEvent, o: Outcome): unknown[] {
  return [
    e.id,
    e.source,
    e.type,
    o.outcome,
    o.reason ?? null,
    o.detail ?? null,
    e.externalId,
    o.dedupeKey ?? null,
    o.duplicateOf ?? null,
    e.userId,
    e.offerId,
    e.appPid,
    e.level,
    o.coins ?? 0,
    e.amountMicros,
    e.currency,
    e.clickId,
    JSON.stringify(e.metadata),
    e.raw === null ? null : JSON.stringify(e.raw),
    e.receivedAt,
    e.partner,
    e.linkId,
    e.partnerClickId,
    o.flags === undefined || o.flags.length === 0 ? null : JSON.stringify(o.flags),
    o.review ?? null,
    o.rewardMicros ?? null,
    e.traceContext,
    e.test ? 1 : 0,
  ];
}

async function insertEvent(db: SqlExecutor, event: NewEvent, outcome: Outcome): Promise<void> {
  await db.query(INSERT_EVENT, eventParams(event, outcome));
}

const NUMERIC_EVENT_COLUMNS: Readonly<Record<string, 'integer' | 'bigint'>> = { level: 'integer', coins: 'bigint', amount_micros: 'bigint', received_at: 'bigint', reward_micros: 'bigint', test: 'integer' };
/** Sent as JSON text, as `eventParams` gives them. */
const JSON_EVENT_COLUMNS = new Set(['metadata', 'raw', 'flags']);

/** An event's row values (`eventParams`) as the JSON records `recordsFromJson` reads. */
const EVENT_JSON_COLUMNS: JsonColumns = EVENT_COLUMNS.map((name): JsonColumns[number] => [name, NUMERIC_EVENT_COLUMNS[name] ?? 'text']);

/** `EVENT_COLUMNS` as a SELECT list from such records: the JSON ones cast where the dialect stores JSON. */
function eventSelectList(db: SqlExecutor): string {
  return EVENT_COLUMNS.map((name) => (JSON_EVENT_COLUMNS.has(name) ? db.jsonColumn(name) : name)).join(', ');
}

/** Many events' rows, as they are: one statement (built per batch: either dialect may call it). */
function insertEventsStatement(db: SqlExecutor): string {
  return `INSERT INTO events (${EVENT_COLUMN_LIST}) SELECT ${eventSelectList(db)} FROM ${db.recordsFromJson(EVENT_JSON_COLUMNS)}`;
}

const BATCH_EVENT_COLUMNS: JsonColumns = [
  ['ord', 'integer'],
  ...EVENT_JSON_COLUMNS,
  ['ensure_user', 'integer'],
  ['requires_app', 'text'],
  ['requires_offer', 'text'],
  ['requires_user', 'text'],
];

const BATCH_DELIVERY_COLUMNS: JsonColumns = [
  ['id', 'text'],
  ['event_id', 'text'],
  ['destination_id', 'text'],
  ['at', 'bigint'],
];

let batchText: string | undefined;

/** The batch's users, events and deliveries: one statement (PostgreSQL: a data-modifying WITH). */
function batchStatement(db: SqlExecutor): string {
  const notifying = db.notifyingSelect(DELIVERIES_CHANNEL);
  batchText ??= `WITH ev AS (SELECT * FROM ${db.recordsFromJson(BATCH_EVENT_COLUMNS)}),
  dv AS (SELECT * FROM ${db.recordsFromJson(BATCH_DELIVERY_COLUMNS)}),
  u AS (INSERT INTO users (id, app_id, device_id, coins, created_at, updated_at)
    SELECT DISTINCT ON (user_id) user_id, NULL, NULL, 0, received_at, received_at FROM ev WHERE ensure_user = 1 ORDER BY user_id, ord
    ON CONFLICT (id) DO NOTHING),
  e AS (INSERT INTO events (${EVENT_COLUMN_LIST})
    SELECT ${eventSelectList(db)} FROM ev
    WHERE (requires_app IS NULL OR EXISTS (SELECT 1 FROM store_apps WHERE pid = requires_app))
      AND (requires_offer IS NULL OR EXISTS (SELECT 1 FROM offers WHERE offers.id = requires_offer))
      AND (requires_user IS NULL OR EXISTS (SELECT 1 FROM users WHERE users.id = requires_user))
    ORDER BY ord
    ON CONFLICT (source, dedupe_key) DO NOTHING RETURNING id),
  d AS (INSERT INTO deliveries (id, event_id, destination_id, state, attempts, next_attempt_at, created_at, updated_at)
    SELECT dv.id, e.id, dv.destination_id, 'pending', 0, ${dueUnlessHeld('dv.at')}, dv.at, dv.at
    FROM e JOIN dv ON dv.event_id = e.id JOIN destinations t ON t.id = dv.destination_id
    RETURNING 1)
  SELECT id FROM e${
    // The workers are told in the same statement, if it queued any (at commit, as NOTIFY is):
    // a round trip less. An uncorrelated WHERE is checked once, before the notification would run.
    notifying === null ? '' : `\n  UNION ALL ${notifying} WHERE EXISTS (SELECT 1 FROM d)`
  }`;
  return batchText;
}
