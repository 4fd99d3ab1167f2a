import { parseJson, type LedgerEntriesTable } from '../../db/schema.js';
import type { EntryStory } from './reasons.js';

/**
 * The columns and joins that tell a ledger entry's story (reasons.ts), for any query over
 * `ledger_entries l`: the event it came from, its offer and its source.
 */
export const STORY_COLUMNS = `l.id, l.user_id, l.event_id, l.delta, l.kind, l.created_at, l.note,
  e.source, s.name AS source_name, e.type AS event_type, e.external_id, e.offer_id, o.name AS offer_name,
  e.level, e.partner, e.reward_micros, e.metadata`;

export const STORY_JOINS = `LEFT JOIN events e ON e.id = l.event_id
  LEFT JOIN offers o ON o.id = e.offer_id
  LEFT JOIN sources s ON s.slug = e.source`;

/** A ledger entry's row, with the columns of its story. */
export type StoryRow = LedgerEntriesTable & {
  source: string | null;
  source_name: string | null;
  event_type: string | null;
  external_id: string | null;
  offer_id: string | null;
  offer_name: string | null;
  level: number | null;
  partner: string | null;
  reward_micros: number | null;
  metadata: unknown;
};

export function storyFromRow(row: StoryRow): EntryStory {
  return {
    id: row.id,
    userId: row.user_id,
    eventId: row.event_id,
    delta: Number(row.delta),
    kind: row.kind,
    createdAt: Number(row.created_at),
    note: row.note,
    source: row.source,
    sourceName: row.source_name,
    eventType: row.event_type,
    externalId: row.external_id,
    offerId: row.offer_id,
    offerName: row.offer_name,
    level: row.level === null ? null : Number(row.level),
    partner: row.partner,
    rewardMicros: row.reward_micros === null ? null : Number(row.reward_micros),
    metadata: row.metadata === null ? null : parseJson<Record<string, unknown>>(row.metadata),
  };
}
