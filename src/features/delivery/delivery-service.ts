import type { Page } from '../../db/paging.js';
import type { Clock } from '../../lib/clock.js';
import { csvLine } from '../../lib/csv.js';
import { NotFoundError } from '../../lib/errors.js';
import { formatMicros } from '../../lib/money.js';
import type { DeliveriesDal } from './deliveries-dal.js';
import type { AttemptRecord, DeliveryFilter, DeliveryRecord, DeliveryRow } from './delivery-types.js';

/** Which deliveries a history page, an export or a replay covers. */
export type HistoryFilter = Omit<DeliveryFilter, 'limit' | 'cursor'>;

/** What MomentScience's postback history shows of a delivery: when, offer, advertiser, payout, state, HTTP code. */
export interface HistoryEntry extends DeliveryRecord {
  destinationName: string | null;
  eventType: string;
  userId: string | null;
  offerId: string | null;
  amountMicros: number | null;
  currency: string | null;
  /** Made for a dashboard test postback (the event's flag). */
  test: boolean;
  /** The advertiser the partner named in its postback's data, if it did. */
  advertiser: string | null;
}

const CSV_COLUMNS = ['delivery_id', 'created_at', 'event_id', 'event_type', 'user_id', 'offer_id', 'advertiser', 'payout', 'currency', 'destination_id', 'destination_name', 'state', 'attempts', 'http_status', 'last_error'];
const EXPORT_PAGE = 500;

function historyEntry(row: DeliveryRow): HistoryEntry {
  const { eventMetadata, ...entry } = row;
  const advertiser = (eventMetadata.data as Record<string, unknown> | undefined)?.advertiser_name;
  return { ...entry, advertiser: typeof advertiser === 'string' ? advertiser : null };
}

/**
 * The outbox as operators and the hub's own process see it: the delivery history, its CSV
 * export, replays, one delivery with its attempts, the backlog the metrics report, and the
 * signal that deliveries are queued.
 */
export class DeliveryService {
  constructor(
    private readonly store: Pick<DeliveriesDal, 'getDelivery' | 'listAttempts' | 'listDeliveries' | 'replayDeliveries' | 'deliveryStats' | 'onDeliveriesQueued'>,
    private readonly clock: Clock,
  ) {}

  /** Newest first. */
  async list(filter: DeliveryFilter): Promise<Page<HistoryEntry>> {
    const page = await this.store.listDeliveries(filter);
    return { items: page.items.map(historyEntry), nextCursor: page.nextCursor };
  }

  /** The history as CSV lines, header first, read a page at a time (formulas neutralised by csvLine). */
  async *csv(filter: HistoryFilter): AsyncGenerator<string> {
    yield csvLine(CSV_COLUMNS);
    let cursor: string | undefined;
    do {
      const page = await this.list({ ...filter, limit: EXPORT_PAGE, ...(cursor === undefined ? {} : { cursor }) });
      for (const d of page.items) {
        const payout = d.amountMicros === null ? null : formatMicros(d.amountMicros);
        yield csvLine([d.id, new Date(d.createdAt).toISOString(), d.eventId, d.eventType, d.userId, d.offerId, d.advertiser, payout, d.currency, d.destinationId, d.destinationName, d.state, d.attempts, d.lastStatus, d.lastError]);
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }

  async get(id: string): Promise<{ delivery: DeliveryRecord & { destinationName: string | null }; attempts: AttemptRecord[] }> {
    const delivery = await this.store.getDelivery(id);
    if (delivery === null) throw new NotFoundError(`No delivery "${id}"`, 'id');
    return { delivery, attempts: await this.store.listAttempts(delivery.id) };
  }

  /** Due again at once, a new round of the retry policy (attempts numbered on); one being sent is left alone. Answers how many. */
  replay(filter: HistoryFilter & { ids?: string[] }): Promise<number> {
    return this.store.replayDeliveries(filter, this.clock.now());
  }

  /** By destination and state, the oldest due delivery, the paused destinations (the metrics' gauges). */
  backlog(): ReturnType<DeliveriesDal['deliveryStats']> {
    return this.store.deliveryStats(this.clock.now());
  }

  /** Told whenever deliveries may have become due, in this process or another; returns the unsubscribe. */
  onQueued(listener: () => void): ReturnType<DeliveriesDal['onDeliveriesQueued']> {
    return this.store.onDeliveriesQueued(listener);
  }
}
