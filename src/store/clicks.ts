import type { SqlExecutor } from './sql-executor.js';
import type { ClickRecord } from './store.js';

/**
 * Clicks arrive in bursts and were handed out already: a batch goes in as one statement of
 * fixed text, whatever its size. A click id is random, so it cannot collide with another;
 * a batch written twice (a retry after an unknown outcome) is harmless.
 */
export async function recordClicks(db: SqlExecutor, clicks: readonly ClickRecord[]): Promise<void> {
  if (clicks.length === 0) return;
  if (db.inProcess) {
    for (const c of clicks) {
      await db.query(
        `INSERT INTO clicks (id, link_id, offer_id, partner, user_id, partner_click_id, ip, user_agent, query, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
        [c.id, c.linkId, c.offerId, c.partner, c.userId, c.partnerClickId, c.ip, c.userAgent, JSON.stringify(c.query), c.createdAt],
      );
    }
    return;
  }
  await db.query(
    `INSERT INTO clicks (id, link_id, offer_id, partner, user_id, partner_click_id, ip, user_agent, query, created_at)
     SELECT v.id, v.link_id, v.offer_id, v.partner, v.user_id, v.partner_click_id, v.ip, v.user_agent, ${db.jsonColumn('v.query')}, v.created_at
     FROM ${db.recordsFromJson(CLICK_COLUMNS)}
     WHERE 1 = 1
     ON CONFLICT (id) DO NOTHING`,
    [
      JSON.stringify(
        clicks.map((c) => ({
          id: c.id,
          link_id: c.linkId,
          offer_id: c.offerId,
          partner: c.partner,
          user_id: c.userId,
          partner_click_id: c.partnerClickId,
          ip: c.ip,
          user_agent: c.userAgent,
          query: JSON.stringify(c.query),
          created_at: c.createdAt,
        })),
      ),
    ],
  );
}

const CLICK_COLUMNS = [
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
] as const;
