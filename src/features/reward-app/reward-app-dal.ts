import { parseJson, type EventsTable } from '../../db/schema.js';
import type { HubDb } from '../procedures.js';
import { STORY_COLUMNS, STORY_JOINS, storyFromRow, type StoryRow } from '../ledger/stories.js';
import type { EntryStory } from '../ledger/reasons.js';
import { formatPosition, type FeedPosition } from './feed-sql.js';
import type { TraceClick, TraceEvent } from './trace.js';
import type { FraudFlag } from '../conversions/fraud.js';

export interface FeedEntry extends EntryStory {
  position: string;
  appPid: string;
}

export interface TraceFilter {
  offerId?: string;
  transactionId?: string;
  source?: string;
}

/** How many of each the trace reads, newest first: a user's history can be long. */
const TRACE_LIMIT = 100;

/** What the reward app reads: feeds, carried fractions, ledgers with their stories, traces. */
export function rewardAppDal(db: HubDb) {
  const rows = async <Row>(sql: string, params: readonly unknown[]): Promise<Row[]> => db.read(async (k) => (await k.executeQuery<Row>(db.raw(sql, params))).rows);
  return {
    /** An app's unacknowledged entries after `after`, in feed order, settled ones only. */
    async feed(appPid: string, after: FeedPosition | null, limit: number): Promise<FeedEntry[]> {
      const found = await rows<StoryRow & { seq: number; tx: string | number; app_pid: string }>(
        `SELECT f.seq, f.tx, f.app_pid, ${STORY_COLUMNS}
         FROM credit_feed f JOIN ledger_entries l ON l.id = f.entry_id ${STORY_JOINS}
         WHERE f.app_pid = ? AND f.acked_at IS NULL AND (f.tx, f.seq) > (CAST(? AS xid8), CAST(? AS BIGINT)) AND ${db.capabilities.settled('f.tx')}
         ORDER BY f.tx, f.seq LIMIT ?`,
        [appPid, after?.tx ?? '0', after?.seq ?? 0, limit],
      );
      return found.map((row) => ({ ...storyFromRow(row), position: formatPosition({ tx: String(row.tx), seq: Number(row.seq) }), appPid: row.app_pid }));
    },

    /** The fraction of a coin each source has left over for the user (micro-coins), non-zero ones. */
    async carried(userId: string): Promise<Array<{ source: string; sourceName: string | null; micros: number }>> {
      const found = await rows<{ source: string; name: string | null; micros: number }>(
        'SELECT c.source, s.name, c.micros FROM reward_carry c LEFT JOIN sources s ON s.slug = c.source WHERE c.user_id = ? AND c.micros <> 0 ORDER BY c.source',
        [userId],
      );
      return found.map((row) => ({ source: row.source, sourceName: row.name, micros: Number(row.micros) }));
    },

    /** A user's ledger, newest first, each entry with its story. */
    async ledger(userId: string, options: { limit: number; cursor?: string }): Promise<{ items: EntryStory[]; nextCursor: string | null }> {
      const found = await rows<StoryRow>(
        `SELECT ${STORY_COLUMNS} FROM ledger_entries l ${STORY_JOINS}
         WHERE l.user_id = ?${options.cursor === undefined ? '' : ' AND l.id < ?'} ORDER BY l.id DESC LIMIT ?`,
        [userId, ...(options.cursor === undefined ? [] : [options.cursor]), options.limit + 1],
      );
      const more = found.length > options.limit;
      const items = (more ? found.slice(0, options.limit) : found).map(storyFromRow);
      return { items, nextCursor: more ? items.at(-1)!.id : null };
    },

    /** The user's postbacks the trace is about, oldest first, with the reversals of those accepted. */
    async traceEvents(userId: string, filter: TraceFilter): Promise<TraceEvent[]> {
      // A test postback is about no real user's reward, whatever user id it carried.
      const where = ['e.user_id = ?', 'e.test = 0'];
      const params: unknown[] = [userId];
      const also = (condition: string, ...values: unknown[]) => {
        where.push(condition);
        params.push(...values);
      };
      if (filter.offerId !== undefined) also('e.offer_id = ?', filter.offerId);
      if (filter.source !== undefined) also('e.source = ?', filter.source);
      if (filter.transactionId !== undefined) also('(e.external_id = ? OR e.dedupe_key = ?)', filter.transactionId, `reversal:${filter.transactionId}`);
      const found = await rows<TraceEventRow>(`${TRACE_EVENT_SELECT} WHERE ${where.join(' AND ')} ORDER BY e.received_at DESC, e.id DESC LIMIT ${TRACE_LIMIT}`, params);
      const ids = new Set(found.map((row) => row.id));
      // Reversals name the transaction they reverse in their key, not the offer.
      const reversible = found.filter((row) => row.outcome === 'accepted' && row.external_id !== null && row.dedupe_key === row.external_id);
      if (reversible.length > 0 && filter.transactionId === undefined) {
        const keys = JSON.stringify(reversible.map((row) => `reversal:${row.external_id}`));
        for (const row of await rows<TraceEventRow>(`${TRACE_EVENT_SELECT} WHERE e.user_id = ? AND e.test = 0 AND ${db.capabilities.inJsonList('e.dedupe_key')}`, [userId, keys])) {
          if (!ids.has(row.id)) found.push(row);
        }
      }
      return found.map(traceEventFromRow).sort((a, b) => a.receivedAt - b.receivedAt || (a.id < b.id ? -1 : 1));
    },

    /** The user's clicks the trace is about (on the offer, or those the events came from), oldest first. */
    async traceClicks(userId: string, offerId: string | null, clickIds: readonly string[]): Promise<TraceClick[]> {
      const byOffer = offerId !== null ? 'AND c.offer_id = ?' : '';
      const sql = `SELECT c.id, c.link_id, k.name AS link_name, k.config, c.offer_id, o.name AS offer_name, c.partner, c.created_at
        FROM clicks c LEFT JOIN links k ON k.id = c.link_id LEFT JOIN offers o ON o.id = c.offer_id`;
      const found = await rows<TraceClickRow>(`${sql} WHERE c.user_id = ? ${byOffer} ORDER BY c.created_at DESC LIMIT ${TRACE_LIMIT}`, [userId, ...(offerId !== null ? [offerId] : [])]);
      const seen = new Set(found.map((row) => row.id));
      const missing = clickIds.filter((id) => !seen.has(id));
      if (missing.length > 0) found.push(...(await rows<TraceClickRow>(`${sql} WHERE ${db.capabilities.inJsonList('c.id')}`, [JSON.stringify(missing)])));
      return found.map(traceClickFromRow).sort((a, b) => a.createdAt - b.createdAt);
    },

    /** The ledger entries of these events, and the user's manual adjustments if `adjustments`. */
    async traceEntries(userId: string, eventIds: readonly string[], adjustments: boolean): Promise<EntryStory[]> {
      const found = await rows<StoryRow>(
        `SELECT ${STORY_COLUMNS} FROM ledger_entries l ${STORY_JOINS}
         WHERE l.user_id = ? AND (${db.capabilities.inJsonList('l.event_id')}${adjustments ? " OR l.kind = 'adjustment'" : ''})
         ORDER BY l.id DESC LIMIT ${TRACE_LIMIT}`,
        [userId, JSON.stringify(eventIds)],
      );
      return found.map(storyFromRow).reverse();
    },

    /** Click-to-postback times of the offer's latest attributed conversions (ms). */
    async clickToPostbackTimes(offerId: string): Promise<number[]> {
      const found = await rows<{ delay: number }>(
        `SELECT e.received_at - c.created_at AS delay FROM events e JOIN clicks c ON c.id = e.click_id
         WHERE e.offer_id = ? AND e.outcome = 'accepted' AND e.test = 0 ORDER BY e.received_at DESC LIMIT 200`,
        [offerId],
      );
      return found.map((row) => Number(row.delay)).filter((delay) => delay >= 0);
    },
  };
}

export type RewardAppDal = ReturnType<typeof rewardAppDal>;

const TRACE_EVENT_SELECT = `SELECT e.id, e.source, s.name AS source_name, e.type, e.outcome, e.reason, e.detail, e.external_id, e.dedupe_key,
  e.offer_id, o.name AS offer_name, e.level, e.click_id, e.duplicate_of, e.coins, e.reward_micros, e.review, e.flags, e.metadata, e.received_at
  FROM events e LEFT JOIN sources s ON s.slug = e.source LEFT JOIN offers o ON o.id = e.offer_id`;

type TraceEventRow = Pick<EventsTable, 'id' | 'source' | 'type' | 'outcome' | 'reason' | 'detail' | 'external_id' | 'dedupe_key' | 'offer_id' | 'level' | 'click_id' | 'duplicate_of' | 'coins' | 'reward_micros' | 'review' | 'flags' | 'metadata' | 'received_at'> & {
  source_name: string | null;
  offer_name: string | null;
};

function traceEventFromRow(row: TraceEventRow): TraceEvent {
  return {
    id: row.id,
    source: row.source,
    sourceName: row.source_name,
    type: row.type,
    outcome: row.outcome as TraceEvent['outcome'],
    reason: row.reason,
    detail: row.detail,
    externalId: row.external_id,
    offerId: row.offer_id,
    offerName: row.offer_name,
    level: row.level === null ? null : Number(row.level),
    clickId: row.click_id,
    duplicateOf: row.duplicate_of,
    coins: Number(row.coins),
    rewardMicros: row.reward_micros === null ? null : Number(row.reward_micros),
    review: row.review as TraceEvent['review'],
    flags: row.flags === null ? [] : parseJson<FraudFlag[]>(row.flags),
    metadata: parseJson<Record<string, unknown>>(row.metadata),
    receivedAt: Number(row.received_at),
  };
}

interface TraceClickRow {
  id: string;
  link_id: string;
  link_name: string | null;
  config: unknown;
  offer_id: string;
  offer_name: string | null;
  partner: string | null;
  created_at: number;
}

function traceClickFromRow(row: TraceClickRow): TraceClick {
  const config = row.config === null ? null : parseJson<{ playStore?: { pid: string } }>(row.config);
  return {
    id: row.id,
    linkId: row.link_id,
    linkName: row.link_name,
    offerId: row.offer_id,
    offerName: row.offer_name,
    partner: row.partner,
    referrerPid: config?.playStore?.pid ?? null,
    createdAt: Number(row.created_at),
  };
}
