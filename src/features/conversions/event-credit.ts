// What an event credits, decided and written inside its recording transaction: a reversal's
// negative credit, the daily cap, the credit a held event keeps aside for the review, and the
// ledger entry with the balance it moves.
import { jsonRecords, type JsonColumns, type SqlExecutor } from '../../db/executor.js';
import type { UsersTable } from '../../db/schema.js';
import { userFromRow } from '../ledger/users-dal.js';
import type { NewEvent, RecordEventCommand, RecordEventResult } from './events-types.js';
import { capFlags, reviewOf, type ConversionCounts, type FraudFlag } from './fraud.js';
import { applyDailyCap } from './reward-rules.js';

type Credit = RecordEventCommand['credit'];

/**
 * A reversal takes back what the accepted event it names credited, under a key of its own;
 * refused when there is no such event, or it is another user's.
 */
export async function reversalCredit(db: SqlExecutor, command: RecordEventCommand, reversalOf: string): Promise<{ ok: true; dedupeKey: string; credit: Credit } | { ok: false; detail: string }> {
  const { event } = command;
  const [original] = await db.query<{ id: string; coins: number; user_id: string | null }>(
    "SELECT id, coins, user_id FROM events WHERE source = ? AND dedupe_key = ? AND outcome = 'accepted'",
    [event.source, reversalOf],
  );
  if (original === undefined || original.user_id !== event.userId) {
    return { ok: false, detail: original === undefined ? `no accepted postback "${reversalOf}" to reverse` : `postback "${reversalOf}" belongs to another user` };
  }
  event.metadata = { ...event.metadata, reverses: original.id };
  return {
    ok: true,
    // Its own key, so the same reversal twice is a duplicate and takes back only once.
    dedupeKey: `reversal:${reversalOf}`,
    credit: { ledgerEntryId: command.credit?.ledgerEntryId ?? event.id, coins: -Number(original.coins), kind: 'reversal' },
  };
}

/** The credit cut to what the user's daily cap from this source leaves, counted inside the transaction. */
export async function dailyCapped(db: SqlExecutor, command: RecordEventCommand, credit: Credit): Promise<Credit> {
  const { event, dailyCap } = command;
  // Only a credit is capped; a reversal's take-back never is.
  if (!(dailyCap !== undefined && credit !== null && credit.coins > 0)) return credit;
  const [row] = await db.query<{ credited: number }>(
    "SELECT COALESCE(SUM(coins), 0) AS credited FROM events WHERE user_id = ? AND source = ? AND outcome = 'accepted' AND coins > 0 AND received_at >= ?",
    [event.userId, event.source, dailyCap.since],
  );
  const capped = applyDailyCap(credit.coins, dailyCap.coins, Number(row?.credited ?? 0));
  if (capped.note !== null) event.metadata = { ...event.metadata, rewardNote: capped.note };
  return capped.coins === 0 ? null : { ...credit, coins: capped.coins };
}

/** The screening's findings: the caller's, and the caps' counted now, inside the transaction. */
export async function screeningFlags(db: SqlExecutor, command: RecordEventCommand, credit: Credit): Promise<FraudFlag[]> {
  const { event, screening } = command;
  const flags = screening?.flags ?? [];
  if (screening?.caps == null || event.userId === null) return flags;
  return [...flags, ...capFlags(screening.caps, await conversionCounts(db, event, screening.since), (credit?.coins ?? 0) > 0)];
}

/** What screening decided: a held event keeps its credit and deliveries aside for the review. */
export function screen(command: RecordEventCommand, credit: Credit, flags: readonly FraudFlag[]) {
  const review = reviewOf(flags);
  if (review !== 'held') return { credit, deliveries: command.deliveries ?? [], review };
  if (credit !== null) command.event.metadata = { ...command.event.metadata, heldCredit: { coins: credit.coins, kind: credit.kind } };
  return { credit: null, deliveries: [], review };
}

/** The event was inserted: its credit, and the result (with the user's row where it is wanted). */
export async function creditAccepted(db: SqlExecutor, command: RecordEventCommand, credit: Credit): Promise<RecordEventResult> {
  const { event } = command;
  const coins = credit?.coins ?? 0;
  if (event.userId === null) return { outcome: 'accepted', eventId: event.id, coins: 0, user: null };
  const credited = credit !== null && credit.coins !== 0 ? credit : null;
  if (credited === null && command.noUserInResult === true) return { outcome: 'accepted', eventId: event.id, coins, user: null };
  const user = credited !== null ? await appendLedger(db, event.userId, event.id, credited, event.receivedAt) : await getUserRow(db, event.userId);
  return { outcome: 'accepted', eventId: event.id, coins, user: user === undefined ? null : userFromRow(user) };
}

/**
 * `creditAccepted` for many inserted events at once, over a network: every ledger entry, every
 * balance and every user row the results carry in one statement. A user credited twice in the
 * batch is moved once by the sum, and each of those results carries the balance after both.
 */
export async function creditAcceptedTogether(db: SqlExecutor, accepted: ReadonlyArray<{ command: RecordEventCommand; credit: Credit }>): Promise<RecordEventResult[]> {
  const rows: unknown[][] = [];
  for (const { command, credit } of accepted) {
    const { event } = command;
    const credited = credit !== null && credit.coins !== 0 ? credit : null;
    if (credited !== null) rows.push([credited.ledgerEntryId, event.userId, event.id, credited.coins, credited.kind, event.receivedAt]);
    else if (event.userId !== null && command.noUserInResult !== true) rows.push([null, event.userId, event.id, 0, null, event.receivedAt]);
  }
  const users = new Map<string, UsersTable>();
  if (rows.length > 0) {
    for (const row of await db.query<UsersTable>(creditsStatement(db), [jsonRecords(CREDIT_COLUMNS, rows)])) users.set(row.id, row);
  }
  return accepted.map(({ command: { event, noUserInResult }, credit }) => {
    const coins = credit?.coins ?? 0;
    if (event.userId === null) return { outcome: 'accepted', eventId: event.id, coins: 0, user: null };
    const wanted = (credit !== null && credit.coins !== 0) || noUserInResult !== true;
    const user = wanted ? users.get(event.userId) : undefined;
    return { outcome: 'accepted', eventId: event.id, coins, user: user === undefined ? null : userFromRow(user) };
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

/** The ledger entries, the balances they move (once per user) and the rows of every user named: one statement (a data-modifying WITH). */
function creditsStatement(db: SqlExecutor): string {
  creditsText ??= `WITH c AS (SELECT * FROM ${db.recordsFromJson(CREDIT_COLUMNS)}),
  l AS (INSERT INTO ledger_entries (id, user_id, event_id, delta, kind, created_at) SELECT id, user_id, event_id, delta, kind, at FROM c WHERE delta <> 0),
  s AS (SELECT user_id, SUM(delta) AS delta, MAX(at) AS at FROM c WHERE delta <> 0 GROUP BY user_id),
  b AS (UPDATE users SET coins = users.coins + s.delta, updated_at = s.at FROM s WHERE users.id = s.user_id RETURNING users.*)
  SELECT * FROM b
  UNION ALL SELECT * FROM users WHERE id IN (SELECT user_id FROM c WHERE delta = 0) AND id NOT IN (SELECT id FROM b)`;
  return creditsText;
}

/** A ledger entry and the balance it changes, together; returns the user's row after it. */
export async function appendLedger(
  db: SqlExecutor,
  userId: string,
  eventId: string,
  credit: { ledgerEntryId: string; coins: number; kind: string },
  at: number,
): Promise<UsersTable | undefined> {
  await db.query('INSERT INTO ledger_entries (id, user_id, event_id, delta, kind, created_at) VALUES (?, ?, ?, ?, ?, ?)', [credit.ledgerEntryId, userId, eventId, credit.coins, credit.kind, at]);
  const [row] = await db.query<UsersTable>('UPDATE users SET coins = coins + ?, updated_at = ? WHERE id = ? RETURNING *', [credit.coins, at, userId]);
  return row;
}

async function getUserRow(db: SqlExecutor, userId: string): Promise<UsersTable | undefined> {
  const [row] = await db.query<UsersTable>('SELECT * FROM users WHERE id = ?', [userId]);
  return row;
}

/** Earlier conversions the caps count: accepted events, less those rejected in review. */
async function conversionCounts(db: SqlExecutor, event: NewEvent, since: number): Promise<ConversionCounts> {
  const live = "outcome = 'accepted' AND (review IS NULL OR review <> 'rejected')";
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
