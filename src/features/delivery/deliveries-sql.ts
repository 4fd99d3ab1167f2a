import { jsonRecords, type JsonColumns, type SqlExecutor } from '../../db/executor.js';
import { procedure } from '../../db/procedure.js';
import type { DeliveriesTable, EventsTable } from '../../db/schema.js';
import { allColumns, rowReader } from '../../db/rows.js';
import { EVENT_COLUMNS, eventFromRow } from '../conversions/events-dal.js';
import { deliveryFromRow } from './deliveries-dal.js';
import type { AttemptResult, ClaimedDelivery, ClaimOptions } from './delivery-types.js';
import type { EventRecord } from '../conversions/events-types.js';

/** Told at every commit that queued deliveries, in every process sharing the database: workers claim at once. */
export const DELIVERIES_CHANNEL = 'postback_hub_deliveries';

/**
 * The outbox's two write procedures, written once for both dialects. Claiming takes a lease
 * (state `delivering`, `lease_until`) that must outlast the HTTP timeout; a lease that
 * expired (its worker died) is claimable again, so every delivery is sent at least once.
 * On PostgreSQL, `FOR UPDATE SKIP LOCKED` lets any number of workers claim side by side.
 */

/**
 * What a claim read, as rows of values (`DELIVERY_COLUMNS` and the destination's version;
 * `EVENT_COLUMNS`): the SQLite writer thread hands these to the main thread, which builds the
 * records (`claimedDeliveries`).
 */
export interface ClaimRows {
  deliveries: unknown[][];
  events: unknown[][];
}

export interface ClaimArgs {
  now: number;
  limit: number;
  leaseMs: number;
  options?: ClaimOptions;
}

/**
 * Takes a lease on up to `limit` due deliveries (expired leases first) and reads their events.
 * Each statement is atomic on its own (SKIP LOCKED does the rest): no BEGIN/COMMIT round trips.
 */
export const claimDeliveries = procedure((db, args: ClaimArgs) => claimDeliveryRows(db, args), { lane: 'outbox', oneStatement: () => true });

async function claimDeliveryRows(db: SqlExecutor, { now, limit, leaseMs, options = {} }: ClaimArgs): Promise<ClaimRows> {
  // Paused or disabled destinations are few: a filter on the walk below, not a join. A join
  // with the destinations table made PostgreSQL's planner misjudge how many rows pass it, so
  // it read and sorted the whole backlog for every claim instead of walking the index up to
  // `limit`. (Their deliveries are parked anyway; this covers a pause racing a claim.)
  const skip = options.skipDestinations ?? [];
  const notHeld = `d.destination_id NOT IN (SELECT id FROM destinations WHERE enabled = 0 OR paused_at IS NOT NULL)${
    skip.length === 0 ? '' : ` AND d.destination_id NOT IN (${skip.map(() => '?').join(', ')})`
  }`;
  // Two statements, each an ordered walk of the (state, next_attempt_at) index that stops at
  // `limit`: one with an OR of both states made the database read and sort the whole backlog.
  const lease = (due: string, order: string, n: number) => {
    const update = `UPDATE deliveries SET state = 'delivering', lease_until = ?, updated_at = ?
       WHERE id IN (
         SELECT d.id FROM deliveries d
         WHERE ${due} AND ${notHeld}
         ORDER BY ${order} LIMIT ?${db.skipLocked ? ' FOR UPDATE SKIP LOCKED' : ''})
       RETURNING ${DELIVERY_COLUMNS.join(', ')}, ${CLAIMED_DESTINATION_VERSION}`;
    const params = [now + leaseMs, now, now, ...skip, n];
    if (db.inProcess) return db.values(update, params);
    // Over a network each statement is a round trip: the claimed deliveries come back with
    // their events, each looked up by its key. (`LIMIT 1` keeps the planner from flattening
    // the lookup into a join, which it hashed over a scan of the whole events table.)
    return db.values(
      `WITH c AS (${update})
       SELECT c.*, ${CLAIMED_EVENT_COLUMNS}
       FROM c LEFT JOIN LATERAL (SELECT * FROM events WHERE events.id = c.event_id LIMIT 1) e ON TRUE`,
      params,
    );
  };
  // Expired leases first: their workers died, and they have waited longest.
  const rows = options.expired === false ? [] : await lease("d.state = 'delivering' AND d.lease_until <= ?", 'd.lease_until', limit);
  if (rows.length < limit) rows.push(...(await lease("d.state = 'pending' AND d.next_attempt_at <= ?", 'd.next_attempt_at', limit - rows.length)));
  if (rows.length === 0) return { deliveries: rows, events: [] };
  if (!db.inProcess) {
    const width = DELIVERY_COLUMNS.length + 1;
    return { deliveries: rows.map((row) => row.slice(0, width)), events: rows.map((row) => row.slice(width)).filter((event) => event[0] !== null) };
  }
  // Their events in the same call: a worker needs each one, and one read beats one per delivery.
  const eventIds = [...new Set(rows.map((row) => row[EVENT_ID]))];
  const events = await db.values(`SELECT ${CLAIMED_EVENT_COLUMNS} FROM events e WHERE ${db.inJsonList('e.id')}`, [JSON.stringify(eventIds)]);
  return { deliveries: rows, events };
}

export function claimedDeliveries(rows: ClaimRows): ClaimedDelivery[] {
  const events = new Map<string, EventRecord>();
  for (const values of rows.events) {
    // Over a network each delivery's row carries its event: one record per event all the same.
    const row = eventRow(values);
    if (!events.has(row.id)) events.set(row.id, eventFromRow(row));
  }
  return rows.deliveries.map((values) => {
    const delivery = deliveryFromRow(deliveryRow(values));
    const version = values[DESTINATION_VERSION];
    return Object.assign(delivery, { event: events.get(delivery.eventId) ?? null, destinationUpdatedAt: version == null ? null : Number(version) });
  });
}

/** The columns a claim reads: every column of each table, so the record mappers apply. */
const DELIVERY_COLUMNS = allColumns<DeliveriesTable>()(['id', 'event_id', 'destination_id', 'state', 'attempts', 'round_start', 'next_attempt_at', 'lease_until', 'last_status', 'last_error', 'created_at', 'updated_at']);
const EVENT_ID = DELIVERY_COLUMNS.indexOf('event_id');
/**
 * Each claimed delivery's destination as it is now (its `updated_at`, which every change moves
 * forward), after the delivery's columns: a worker reuses the destination it has read and
 * decrypted only while this has not moved, so a change committed before a claim (a rotated
 * signing secret) is in force for it, whichever process made the change. A key look-up per
 * row, not a join (see the claim's filter).
 */
const CLAIMED_DESTINATION_VERSION = '(SELECT updated_at FROM destinations WHERE destinations.id = deliveries.destination_id)';
const DESTINATION_VERSION = DELIVERY_COLUMNS.length;
const deliveryRow = rowReader<DeliveriesTable>(DELIVERY_COLUMNS);
const eventRow = rowReader<EventsTable>(EVENT_COLUMNS);
/** The events' columns as a claim selects them (the events table aliased `e`), in `EVENT_COLUMNS`' order. */
const CLAIMED_EVENT_COLUMNS = EVENT_COLUMNS.map((column) => `e.${column}`).join(', ');

/**
 * A batch of finished attempts as the rows it writes (`ATTEMPT_COLUMNS`, `STATE_COLUMNS`) and
 * its effect on each destination: built on the main thread, so that only rows of values cross
 * to the SQLite writer thread.
 */
export interface CompletionRows {
  attempts: unknown[][];
  states: unknown[][];
  changes: DestinationChange[];
}

export function completionRows(results: readonly AttemptResult[]): CompletionRows {
  return {
    attempts: results.map(({ deliveryId, attempt: a }) => [
      a.id,
      deliveryId,
      a.attempt,
      a.startedAt,
      a.url,
      a.method,
      JSON.stringify(a.requestHeaders),
      a.status,
      a.latencyMs,
      a.responseExcerpt,
      a.error,
    ]),
    states: results.map(({ deliveryId, attempt: a, next, now }) => [deliveryId, next.state, a.attempt, next.state === 'pending' ? next.at : null, a.status, a.error, now]),
    changes: destinationChanges(results),
  };
}

/**
 * Records a batch of finished attempts in the caller's transaction: the attempts, the
 * deliveries' new states, then one update per destination. Over a network (PostgreSQL) that is
 * a fixed number of statements whatever the batch's size, the rows going in as one JSON array
 * each, and one statement in all when no destination's failures need counting.
 */
export const completeAttempts = procedure((db, rows: CompletionRows) => writeCompletions(db, rows), {
  lane: 'outbox',
  // The common batch is one statement, atomic on its own: no BEGIN/COMMIT round trips.
  oneStatement: (rows) => completesInOneStatement(rows),
});

/** A destination this batch paused, and why. */
export interface PausedDestination {
  destinationId: string;
  reason: string;
}

async function writeCompletions(db: SqlExecutor, { attempts, states, changes }: CompletionRows): Promise<PausedDestination[]> {
  if (attempts.length === 0) return [];
  if (db.inProcess) {
    // In-process (SQLite) there is no round trip to save, and a prepared statement run per row
    // costs about half of what unpacking the rows from a JSON array does.
    for (const row of attempts) await db.query(INSERT_ATTEMPT, row);
    for (const [id, ...state] of states) await db.query(UPDATE_STATE, [...state, id]);
  } else {
    const insertAttempts = `INSERT INTO delivery_attempts (id, delivery_id, attempt, started_at, url, method, request_headers, status, latency_ms, response_excerpt, error)
       SELECT v.id, v.delivery_id, v.attempt, v.started_at, v.url, v.method, ${db.jsonColumn('v.request_headers')}, v.status, v.latency_ms, v.response_excerpt, v.error
       FROM ${db.recordsFromJson(ATTEMPT_COLUMNS)}`;
    const updateStates = `UPDATE deliveries SET state = v.state, attempts = v.attempts, next_attempt_at = v.next_attempt_at, lease_until = NULL,
         last_status = v.last_status, last_error = v.last_error, updated_at = v.updated_at
       FROM ${db.recordsFromJson(STATE_COLUMNS)} WHERE deliveries.id = v.id`;
    const rows = [jsonRecords(ATTEMPT_COLUMNS, attempts), jsonRecords(STATE_COLUMNS, states)];
    if (completesInOneStatement({ attempts, states, changes })) {
      // Over a network each statement is a round trip: the common batch (nothing to count
      // against a destination) is one statement, atomic without BEGIN and COMMIT.
      await db.query(
        `WITH a AS (${insertAttempts}), s AS (${updateStates})
         ${RESET_FAILURES} AND ${db.inJsonList('id')}`,
        [...rows, JSON.stringify(changes.map((c) => c.destinationId))],
      );
      return [];
    }
    await db.query(insertAttempts, [rows[0]]);
    await db.query(updateStates, [rows[1]]);
  }
  const paused: PausedDestination[] = [];
  for (const change of changes) {
    const reason = await applyDestinationChange(db, change);
    if (reason !== null) paused.push({ destinationId: change.destinationId, reason });
  }
  return paused;
}

/**
 * No destination in the batch failed before a success or is to be paused: each one's
 * failure count just restarts at zero. (Written as one statement over a network.)
 */
export function completesInOneStatement({ changes }: CompletionRows): boolean {
  return changes.every(onlyRestarts);
}

function onlyRestarts(c: DestinationChange): boolean {
  return c.failuresBeforeFirstSuccess === 0 && c.longestRunAfterSuccess === 0 && c.pauseNow === null;
}

const RESET_FAILURES = 'UPDATE destinations SET consecutive_failures = 0 WHERE consecutive_failures <> 0';

const INSERT_ATTEMPT = `INSERT INTO delivery_attempts (id, delivery_id, attempt, started_at, url, method, request_headers, status, latency_ms, response_excerpt, error)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

const UPDATE_STATE = `UPDATE deliveries SET state = ?, attempts = ?, next_attempt_at = ?, lease_until = NULL, last_status = ?, last_error = ?, updated_at = ?
  WHERE id = ?`;

/** The columns of an attempt row and of a delivery's new state, in the order the rows above hold them. */
const ATTEMPT_COLUMNS: JsonColumns = [
  ['id', 'text'],
  ['delivery_id', 'text'],
  ['attempt', 'integer'],
  ['started_at', 'bigint'],
  ['url', 'text'],
  ['method', 'text'],
  ['request_headers', 'text'],
  ['status', 'integer'],
  ['latency_ms', 'integer'],
  ['response_excerpt', 'text'],
  ['error', 'text'],
];

const STATE_COLUMNS: JsonColumns = [
  ['id', 'text'],
  ['state', 'text'],
  ['attempts', 'integer'],
  ['next_attempt_at', 'bigint'],
  ['last_status', 'integer'],
  ['last_error', 'text'],
  ['updated_at', 'bigint'],
];

/**
 * A held (paused or disabled) destination's pending deliveries lose their due time: parked
 * outside the range of the due index that claims walk, until `unparkDeliveries`. Both walk
 * that index (`destination_id || ''` keeps SQLite from choosing the destination's index,
 * which would read its whole delivery history instead of what waits).
 */
export function parkDeliveries(destinationId: string, limit: number): { sql: string; parameters: unknown[] } {
  return {
    sql: `UPDATE deliveries SET next_attempt_at = NULL
     WHERE id IN (SELECT id FROM deliveries WHERE state = 'pending' AND next_attempt_at IS NOT NULL AND destination_id || '' = ? LIMIT ?)
       AND EXISTS (SELECT 1 FROM destinations WHERE id = ? AND (enabled = 0 OR paused_at IS NOT NULL))
     RETURNING id`,
    parameters: [destinationId, limit, destinationId],
  };
}

/**
 * Parked deliveries are due at `now` again, if their destination is (`once` = 'now') or is
 * about to be (once 'resumed' or 'enabled') no longer held.
 */
export function unparkDeliveries(destinationId: string, now: number, limit: number, once: 'now' | 'resumed' | 'enabled'): { sql: string; parameters: unknown[] } {
  const ready = once === 'resumed' ? 'enabled = 1' : once === 'enabled' ? 'paused_at IS NULL' : 'enabled = 1 AND paused_at IS NULL';
  return {
    sql: `UPDATE deliveries SET next_attempt_at = ?
     WHERE id IN (SELECT id FROM deliveries WHERE state = 'pending' AND next_attempt_at IS NULL AND destination_id || '' = ? LIMIT ?)
       AND EXISTS (SELECT 1 FROM destinations WHERE id = ? AND ${ready})
     RETURNING id`,
    parameters: [now, destinationId, limit, destinationId],
  };
}

/** A batch's effect on one destination's consecutive-failure count, folded in attempt order. */
export interface DestinationChange {
  destinationId: string;
  /** A success in the batch: the count restarts from `failuresAfterLastSuccess`. */
  succeeded: boolean;
  /** Failures before the batch's first success (all of them if none), added to the stored count. */
  failuresBeforeFirstSuccess: number;
  failuresAfterLastSuccess: number;
  /** The longest run of failures after a success, which alone may reach the pause threshold. */
  longestRunAfterSuccess: number;
  pauseAfterFailures: number;
  pauseNow: string | null;
  now: number;
}

export function destinationChanges(results: readonly AttemptResult[]): DestinationChange[] {
  const changes = new Map<string, DestinationChange>();
  for (const r of results) {
    let c = changes.get(r.destinationId);
    if (c === undefined) {
      c = { destinationId: r.destinationId, succeeded: false, failuresBeforeFirstSuccess: 0, failuresAfterLastSuccess: 0, longestRunAfterSuccess: 0, pauseAfterFailures: r.pauseAfterFailures, pauseNow: null, now: r.now };
      changes.set(r.destinationId, c);
    }
    c.pauseAfterFailures = r.pauseAfterFailures;
    c.now = Math.max(c.now, r.now);
    if (!r.failed) {
      c.succeeded = true;
      c.failuresAfterLastSuccess = 0;
      continue;
    }
    c.pauseNow ??= r.pauseNow;
    if (c.succeeded) {
      c.failuresAfterLastSuccess++;
      c.longestRunAfterSuccess = Math.max(c.longestRunAfterSuccess, c.failuresAfterLastSuccess);
    } else {
      c.failuresBeforeFirstSuccess++;
    }
  }
  return [...changes.values()];
}

/** The reason, when this change paused the destination (null when it did not). */
async function applyDestinationChange(db: SqlExecutor, c: DestinationChange): Promise<string | null> {
  if (onlyRestarts(c)) {
    await db.query(`${RESET_FAILURES} AND id = ?`, [c.destinationId]);
    return null;
  }
  // Paused, never dropped: its deliveries wait, and go out when an operator resumes it.
  // pauseAfterFailures 0: never paused for failures (a 410 still pauses).
  const reached = `(? > 0 AND (consecutive_failures + ? >= ? OR ? >= ?))`;
  const [after] = await db.query<{ paused_at: number | string | null; pause_reason: string | null }>(
    `UPDATE destinations SET
       consecutive_failures = CASE WHEN ? = 1 THEN ? ELSE consecutive_failures + ? END,
       pause_reason = CASE WHEN paused_at IS NOT NULL THEN pause_reason
                           WHEN CAST(? AS TEXT) IS NOT NULL THEN ?
                           WHEN ${reached} THEN ? ELSE pause_reason END,
       paused_at = CASE WHEN paused_at IS NOT NULL THEN paused_at
                        WHEN CAST(? AS TEXT) IS NOT NULL OR ${reached} THEN ? ELSE NULL END
     WHERE id = ? RETURNING paused_at, pause_reason`,
    [
      c.succeeded ? 1 : 0,
      c.failuresAfterLastSuccess,
      c.failuresBeforeFirstSuccess,
      c.pauseNow,
      c.pauseNow,
      c.pauseAfterFailures,
      c.failuresBeforeFirstSuccess,
      c.pauseAfterFailures,
      c.longestRunAfterSuccess,
      c.pauseAfterFailures,
      `${c.pauseAfterFailures} consecutive failed attempts`,
      c.pauseNow,
      c.pauseAfterFailures,
      c.failuresBeforeFirstSuccess,
      c.pauseAfterFailures,
      c.longestRunAfterSuccess,
      c.pauseAfterFailures,
      c.now,
      c.destinationId,
    ],
  );
  // Paused by this batch: its waiting deliveries are parked (a pause that was already there
  // parked them then).
  // A failing destination's backlog is short (new deliveries to a paused one are parked as they
  // are queued), so this runs inside the batch's transaction, in one statement.
  if (after?.paused_at != null && Number(after.paused_at) === c.now) {
    const park = parkDeliveries(c.destinationId, Number.MAX_SAFE_INTEGER);
    await db.query(park.sql, park.parameters);
    return after.pause_reason ?? 'paused';
  }
  return null;
}
