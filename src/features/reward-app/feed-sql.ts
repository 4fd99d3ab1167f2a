import { procedure } from '../../db/procedure.js';

/** Told after each commit that added entries to an app's credit feed (long-polls wake on it). */
export const FEED_CHANNEL = 'postback_hub_feed';

/**
 * A place in an app's feed: the writing transaction and the row's number. Entries are read in
 * this order, and only once every transaction that could still add an earlier one has ended
 * (Database.capabilities.commitOrder), so acknowledging "up to here" never skips an entry the
 * app has not seen.
 */
export interface FeedPosition {
  tx: string;
  seq: number;
}

export function formatPosition(position: FeedPosition): string {
  return `${position.tx}-${position.seq}`;
}

/** Null when the text is not a position this hub gave out. */
export function parsePosition(text: string): FeedPosition | null {
  const match = /^(\d{1,20})-(\d{1,15})$/.exec(text);
  return match === null ? null : { tx: match[1]!, seq: Number(match[2]) };
}

export type Acknowledgement = { appPid: string; at: number } & ({ ids: readonly string[] } | { upTo: FeedPosition });

/**
 * Marks entries of one app's feed acknowledged. Idempotent: an entry acknowledged before keeps
 * its first time and is counted as such; ids that are not in this app's feed are returned as
 * unknown (another app's entries are never touched).
 */
export const ackFeed = procedure(async (db, ack: Acknowledgement): Promise<{ acknowledged: number; already: number; unknown: string[] }> => {
  if ('upTo' in ack) {
    const done = await db.query<{ n: number }>(
      `UPDATE credit_feed SET acked_at = ? WHERE app_pid = ? AND acked_at IS NULL AND (tx, seq) <= (CAST(? AS xid8), CAST(? AS BIGINT)) RETURNING 1 AS n`,
      [ack.at, ack.appPid, ack.upTo.tx, ack.upTo.seq],
    );
    return { acknowledged: done.length, already: 0, unknown: [] };
  }
  if (ack.ids.length === 0) return { acknowledged: 0, already: 0, unknown: [] };
  const list = JSON.stringify(ack.ids);
  const done = await db.query<{ entry_id: string }>(
    `UPDATE credit_feed SET acked_at = ? WHERE app_pid = ? AND acked_at IS NULL AND ${db.inJsonList('entry_id')} RETURNING entry_id`,
    [ack.at, ack.appPid, list],
  );
  const known = await db.query<{ entry_id: string }>(`SELECT entry_id FROM credit_feed WHERE app_pid = ? AND ${db.inJsonList('entry_id')}`, [ack.appPid, list]);
  const found = new Set(known.map((row) => row.entry_id));
  const unknown = [...new Set(ack.ids)].filter((id) => !found.has(id));
  return { acknowledged: done.length, already: found.size - done.length, unknown };
});
