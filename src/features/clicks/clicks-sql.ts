import { jsonRecords, type JsonColumns } from '../../db/executor.js';
import { procedure } from '../../db/procedure.js';
import type { ClickRecord } from './clicks-types.js';

/**
 * A click as its row's values, in CLICK_COLUMNS' order (the query as JSON text). A batch of
 * clicks crosses to the SQLite writer thread in this form: arrays of strings are cheaper to
 * serialise and parse than records with a nested query object.
 */
export type ClickRow = [
  id: string,
  linkId: string,
  offerId: string,
  partner: string | null,
  userId: string | null,
  partnerClickId: string | null,
  ip: string | null,
  userAgent: string | null,
  query: string,
  createdAt: number,
];

export function clickRow(c: ClickRecord): ClickRow {
  return [c.id, c.linkId, c.offerId, c.partner, c.userId, c.partnerClickId, c.ip, c.userAgent, JSON.stringify(c.query), c.createdAt];
}

/**
 * Clicks arrive in bursts and were handed out already. A click id is random, so it cannot
 * collide with another; a batch written twice (a retry after an unknown outcome) is harmless.
 */
export const recordClicks = procedure(
  async (db, rows: readonly ClickRow[]): Promise<void> => {
  if (rows.length === 0) return;
  if (db.inProcess) {
    // No round trip to save: a prepared statement run per row is the cheapest.
    for (const row of rows) await db.query(INSERT_CLICK, row);
    return;
  }
  // Over a network, the batch goes in as one statement of fixed text, whatever its size.
  await db.query(
    `INSERT INTO clicks (id, link_id, offer_id, partner, user_id, partner_click_id, ip, user_agent, query, created_at)
     SELECT v.id, v.link_id, v.offer_id, v.partner, v.user_id, v.partner_click_id, v.ip, v.user_agent, ${db.jsonColumn('v.query')}, v.created_at
     FROM ${db.recordsFromJson(CLICK_COLUMNS)}
     WHERE 1 = 1
     ON CONFLICT (id) DO NOTHING`,
    [jsonRecords(CLICK_COLUMNS, rows)],
  );
  },
  // One statement over a network (one prepared statement per row runs in-process, no round trip).
  { oneStatement: () => true },
);

const INSERT_CLICK = `INSERT INTO clicks (id, link_id, offer_id, partner, user_id, partner_click_id, ip, user_agent, query, created_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`;

const CLICK_COLUMNS: JsonColumns = [
  ['id', 'text'],
  ['link_id', 'text'],
  ['offer_id', 'text'],
  ['partner', 'text'],
  ['user_id', 'text'],
  ['partner_click_id', 'text'],
  ['ip', 'text'],
  ['user_agent', 'text'],
  ['query', 'text'],
  ['created_at', 'bigint'],
];
