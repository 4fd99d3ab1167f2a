import { allColumns } from '../../db/rows.js';
import { type EventsTable, parseJson } from '../../db/schema.js';
import type { EventFilter, EventOutcome, EventRecord, NewEvent, RawRequest, RecordEventCommand, RecordEventResult, ReviewDecision, ReviewState } from './events-types.js';
import type { FraudFlag } from './fraud.js';
import type { HubDb } from '../procedures.js';
import { type Page, page } from '../../db/paging.js';
/**
 * Every column of `events`, in the order the store writes and reads them: the recording's
 * parameters (`eventParams`) and a claim's rows of values follow it.
 */
export const EVENT_COLUMNS = allColumns<EventsTable>()([
  'id', 'source', 'type', 'outcome', 'reason', 'detail', 'external_id', 'dedupe_key', 'duplicate_of', 'user_id', 'offer_id', 'app_pid', 'level',
  'coins', 'amount_micros', 'currency', 'click_id', 'metadata', 'raw', 'received_at', 'partner', 'link_id', 'partner_click_id', 'flags', 'review',
  'reward_micros', 'test',
]);

export function eventFromRow(row: EventsTable): EventRecord {
  return {
    id: row.id,
    source: row.source,
    type: row.type,
    outcome: row.outcome as EventOutcome,
    reason: row.reason,
    detail: row.detail,
    externalId: row.external_id,
    duplicateOf: row.duplicate_of,
    userId: row.user_id,
    offerId: row.offer_id,
    appPid: row.app_pid,
    level: row.level === null ? null : Number(row.level),
    coins: Number(row.coins),
    amountMicros: row.amount_micros === null ? null : Number(row.amount_micros),
    currency: row.currency,
    clickId: row.click_id,
    metadata: parseJson<Record<string, unknown>>(row.metadata),
    raw: row.raw === null ? null : parseJson<RawRequest>(row.raw),
    receivedAt: Number(row.received_at),
    partner: row.partner,
    linkId: row.link_id,
    partnerClickId: row.partner_click_id,
    flags: row.flags === null ? [] : parseJson<FraudFlag[]>(row.flags),
    review: row.review as ReviewState | null,
    rewardMicros: row.reward_micros === null ? null : Number(row.reward_micros),
    test: Number(row.test) === 1,
  };
}

/** Events: recorded by the procedures (record-event.ts), read by the explorer, reviewed by operators. */
export function eventsDal(db: HubDb) {
  return {
    /**
     * Records an event and its consequences atomically: checks `requires`, de-duplicates on
     * (source, externalId), appends the credit and moves the balance. Every call writes exactly
     * one event row, whatever the outcome. Resolves only once that is durable.
     */
    recordEvent: (command: RecordEventCommand): Promise<RecordEventResult> => db.run('recordEvent', command),
    /** Several events in one transaction (a batch API call): all recorded, or none if the store fails. */
    recordEvents: (commands: readonly RecordEventCommand[]): Promise<RecordEventResult[]> => db.run('recordEvents', commands),
    /** A request refused before it became an event (bad auth, bad body, …). */
    recordRejection: (event: NewEvent, reason: string, detail: string): Promise<void> => db.run('recordRejection', { event, reason, detail }),
    /** An operator's decision on a screened event. */
    reviewEvent: (id: string, decision: ReviewDecision, now: number): Promise<EventRecord | 'not_found' | 'conflict'> => db.run('reviewEvent', { id, decision, now }),

    getEvent(id: string): Promise<EventRecord | null> {
      return db.read(async (k) => {
        const row = await k.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
        return row === undefined ? null : eventFromRow(row);
      });
    },

    listEvents(filter: EventFilter): Promise<Page<EventRecord>> {
      let query = db.kysely.selectFrom('events').selectAll();
      if (filter.from !== undefined) query = query.where('received_at', '>=', filter.from);
      if (filter.to !== undefined) query = query.where('received_at', '<', filter.to);
      if (filter.outcome !== undefined) query = query.where('outcome', '=', filter.outcome);
      if (filter.source !== undefined) query = query.where('source', '=', filter.source);
      if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
      if (filter.offerId !== undefined) query = query.where('offer_id', '=', filter.offerId);
      if (filter.partner !== undefined) query = query.where('partner', '=', filter.partner);
      if (filter.review !== undefined) query = query.where('review', '=', filter.review);
      if (filter.test !== undefined) query = query.where('test', '=', filter.test ? 1 : 0);
      return db.read(() => page(query, 'id', 'desc', filter, eventFromRow));
    },
  };
}

export type EventsDal = ReturnType<typeof eventsDal>;
