import { type ClicksTable, type LinksTable, parseJson } from '../../db/schema.js';
import { sql } from 'kysely';
import type { ClickFilter, ClickRecord, LinkCounts, LinkPatch, LinkRecord } from './clicks-types.js';
import type { HubDb } from '../procedures.js';
import { crud } from '../../db/crud.js';
import { type ListOptions, type Page, page } from '../../db/paging.js';
import { clickRow } from './clicks-sql.js';
export function linkFromRow(row: LinksTable): LinkRecord {
  return {
    id: row.id,
    name: row.name,
    offerId: row.offer_id,
    partner: row.partner,
    config: parseJson<Record<string, unknown>>(row.config),
    enabled: Number(row.enabled) === 1,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export function clickFromRow(row: ClicksTable): ClickRecord {
  return {
    id: row.id,
    linkId: row.link_id,
    offerId: row.offer_id,
    partner: row.partner,
    userId: row.user_id,
    partnerClickId: row.partner_click_id,
    ip: row.ip,
    userAgent: row.user_agent,
    query: row.query === null ? {} : parseJson<Record<string, string>>(row.query),
    createdAt: Number(row.created_at),
  };
}

/** Tracking links and their clicks. */
export function clicksDal(db: HubDb) {
  const links = crud(db, { table: 'links', key: 'id', order: 'asc', fromRow: linkFromRow });
  return {
    createLink(link: LinkRecord): Promise<LinkRecord> {
      return links.insert({
        id: link.id,
        name: link.name,
        offer_id: link.offerId,
        partner: link.partner,
        config: JSON.stringify(link.config),
        enabled: link.enabled ? 1 : 0,
        created_at: link.createdAt,
        updated_at: link.updatedAt,
      });
    },
    getLink: (id: string) => links.get(id),
    listLinks(options: ListOptions & { offerId?: string; partner?: string }): Promise<Page<LinkRecord>> {
      return links.list(options, (query) => {
        let q = query;
        if (options.offerId !== undefined) q = q.where('offer_id', '=', options.offerId);
        if (options.partner !== undefined) q = q.where('partner', '=', options.partner);
        return q;
      });
    },
    /** Each link's clicks and conversions so far, for a page of links (`linkCounts`). */
    linkCounts: (ids: readonly string[]) => linkCounts(db, ids),
    updateLink(id: string, patch: LinkPatch, now: number): Promise<LinkRecord | null> {
      return links.update(id, {
        ...(patch.name === undefined ? {} : { name: patch.name }),
        ...(patch.partner === undefined ? {} : { partner: patch.partner }),
        ...(patch.config === undefined ? {} : { config: JSON.stringify(patch.config) }),
        ...(patch.enabled === undefined ? {} : { enabled: patch.enabled ? 1 : 0 }),
        updated_at: now,
      });
    },
    /** 'has_clicks' once it has clicks: conversions are attributed to them. */
    deleteLink: (id: string) => links.remove(id, { table: 'clicks', column: 'link_id', outcome: 'has_clicks' }),

    async recordClicks(clicks: readonly ClickRecord[]): Promise<void> {
      await db.run('recordClicks', clicks.map(clickRow));
    },
    getClick(id: string): Promise<ClickRecord | null> {
      return db.read(async (k) => {
        const row = await k.selectFrom('clicks').selectAll().where('id', '=', id).executeTakeFirst();
        return row === undefined ? null : clickFromRow(row);
      });
    },
    /** The user's latest click on the offer since `since`: attribution by user and offer. */
    latestClick(userId: string, offerId: string, since: number): Promise<ClickRecord | null> {
      return db.read(async (k) => {
        const row = await k
          .selectFrom('clicks')
          .selectAll()
          .where('user_id', '=', userId)
          .where('offer_id', '=', offerId)
          .where('created_at', '>=', since)
          .orderBy('created_at', 'desc')
          .limit(1)
          .executeTakeFirst();
        return row === undefined ? null : clickFromRow(row);
      });
    },
    countClicksFromIp(ip: string, from: number, to: number): Promise<number> {
      return db.read(async (k) => {
        const row = await k
          .selectFrom('clicks')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('ip', '=', ip)
          .where('created_at', '>=', from)
          .where('created_at', '<=', to)
          .executeTakeFirst();
        return Number(row?.n ?? 0);
      });
    },
    listClicks(filter: ClickFilter): Promise<Page<ClickRecord>> {
      let query = db.kysely.selectFrom('clicks').selectAll();
      if (filter.from !== undefined) query = query.where('created_at', '>=', filter.from);
      if (filter.to !== undefined) query = query.where('created_at', '<', filter.to);
      if (filter.linkId !== undefined) query = query.where('link_id', '=', filter.linkId);
      if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
      return db.read(() => page(query, 'id', 'desc', filter, clickFromRow));
    },
  };
}

export type ClicksDal = ReturnType<typeof clicksDal>;

/**
 * Each link's clicks and conversions so far, for a page of links in one statement: a
 * conversion is what the reports count (an accepted event attributed to the link, not
 * rejected in review). Links without any are left out.
 */
export function linkCounts(db: HubDb, ids: readonly string[]): Promise<Map<string, LinkCounts>> {
  if (ids.length === 0) return Promise.resolve(new Map<string, LinkCounts>());
  return db.read(async (k) => {
    const list = sql.join(ids);
    const { rows } = await sql<{ link_id: string; kind: 'clicks' | 'conversions'; n: number }>`
      SELECT link_id, 'clicks' AS kind, COUNT(*) AS n FROM clicks WHERE link_id IN (${list}) GROUP BY link_id
      UNION ALL
      SELECT link_id, 'conversions' AS kind, COUNT(*) AS n FROM events
      WHERE link_id IN (${list}) AND outcome = 'accepted' AND (review IS NULL OR review <> 'rejected') GROUP BY link_id`.execute(k);
    const counts = new Map<string, LinkCounts>();
    for (const row of rows) {
      const entry = counts.get(row.link_id) ?? { clicks: 0, conversions: 0 };
      entry[row.kind] = Number(row.n);
      counts.set(row.link_id, entry);
    }
    return counts;
  });
}
