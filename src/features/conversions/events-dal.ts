import { allColumns } from '../../db/rows.js';
import { type EventsTable, parseJson } from '../../db/schema.js';
import type { EventFilter, EventOutcome, EventRecord, NewEvent, RawRequest, RecordEventCommand, RecordEventResult, ReviewDecision, ReviewState } from './events-types.js';
import type { FraudFlag } from './fraud.js';
import type { HubDb } from '../procedures.js';
import { type Page, page } from '../../db/paging.js';
import { trace, type Attributes } from '@opentelemetry/api';
import { activeTraceparent, inSpan, tracingActive } from '../../lib/tracing.js';
/**
 * Every column of `events`, in the order the store writes and reads them: the recording's
 * parameters (`eventParams`) and a claim's rows of values follow it.
 */
export const EVENT_COLUMNS = allColumns<EventsTable>()([
  'id', 'source', 'type', 'outcome', 'reason', 'detail', 'external_id', 'dedupe_key', 'duplicate_of', 'user_id', 'offer_id', 'app_pid', 'level',
  'coins', 'amount_micros', 'currency', 'click_id', 'metadata', 'raw', 'received_at', 'partner', 'link_id', 'partner_click_id', 'flags', 'review',
  'reward_micros', 'trace_context', 'test',
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
    traceContext: row.trace_context,
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
    recordEvent: (command: RecordEventCommand): Promise<RecordEventResult> =>
      traceRecording([command.event], () => db.run('recordEvent', command), (result) => ({ 'postback.source': command.event.source, ...outcomeAttributes(result) })),
    /** Several events in one transaction (a batch API call): all recorded, or none if the store fails. */
    recordEvents: (commands: readonly RecordEventCommand[]): Promise<RecordEventResult[]> =>
      traceRecording(
        commands.map((c) => c.event),
        () => db.run('recordEvents', commands),
        (results) => ({ 'postback.batch_size': results.length, 'postback.accepted_count': results.filter((r) => r.outcome === 'accepted').length }),
      ),
    /** A request refused before it became an event (bad auth, bad body, …). */
    recordRejection: (event: NewEvent, reason: string, detail: string): Promise<void> =>
      traceRecording([event], () => db.run('recordRejection', { event, reason, detail }), () => ({
        'postback.source': event.source,
        'postback.event_id': event.id,
        'postback.outcome': 'rejected',
        'postback.duplicate': false,
        'postback.reason': reason,
      })),
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

/**
 * `postback.record`: one intake's recording call, from its queueing to the commit of the
 * transaction it joined. The group commit records many intakes' calls in one transaction, so
 * each call has a span of its own over its own wait: the spans of one batch overlap and end at
 * its commit. The span active here is the intake's: it learns the outcome too, and the events
 * keep its context, which their deliveries' attempts continue (the worker may be another process).
 */
function traceRecording<T>(events: readonly NewEvent[], record: () => Promise<T>, attributes: (result: T) => Attributes): Promise<T> {
  if (!tracingActive()) return record();
  const intake = trace.getActiveSpan();
  const traceContext = activeTraceparent();
  for (const event of events) event.traceContext = traceContext;
  return inSpan('postback.record', {}, async (span) => {
    const result = await record();
    const known = attributes(result);
    span.setAttributes(known);
    intake?.setAttributes(known);
    return result;
  });
}

function outcomeAttributes(result: RecordEventResult): Attributes {
  return {
    'postback.event_id': result.eventId,
    'postback.outcome': result.outcome,
    'postback.duplicate': result.outcome === 'duplicate',
    ...(result.outcome === 'duplicate' ? { 'postback.duplicate_of': result.duplicateOf } : {}),
    ...(result.outcome === 'rejected' ? { 'postback.reason': result.reason } : {}),
  };
}
