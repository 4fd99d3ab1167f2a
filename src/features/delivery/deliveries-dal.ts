import type { Kysely } from 'kysely';
import { type DeliveriesTable, type DeliveryAttemptsTable, parseJson, type Tables } from '../../db/schema.js';
import type { AttemptRecord, AttemptResult, ClaimedDelivery, ClaimOptions, DeliveryFilter, DeliveryRecord, DeliveryRow, DeliveryState } from './delivery-types.js';
import type { HubDb } from '../procedures.js';
import { claimedDeliveries, completionRows, DELIVERIES_CHANNEL, type PausedDestination } from './deliveries-sql.js';
import { type Page, page } from '../../db/paging.js';
export function deliveryFromRow(row: DeliveriesTable): DeliveryRecord {
  return {
    id: row.id,
    eventId: row.event_id,
    destinationId: row.destination_id,
    state: row.state as DeliveryState,
    attempts: Number(row.attempts),
    roundStart: Number(row.round_start),
    nextAttemptAt: row.next_attempt_at === null ? null : Number(row.next_attempt_at),
    lastStatus: row.last_status === null ? null : Number(row.last_status),
    lastError: row.last_error,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export function attemptFromRow(row: DeliveryAttemptsTable): AttemptRecord {
  return {
    id: row.id,
    attempt: Number(row.attempt),
    startedAt: Number(row.started_at),
    url: row.url,
    method: row.method,
    requestHeaders: parseJson<Record<string, string>>(row.request_headers),
    status: row.status === null ? null : Number(row.status),
    latencyMs: row.latency_ms === null ? null : Number(row.latency_ms),
    responseExcerpt: row.response_excerpt,
    error: row.error,
  };
}

/**
 * Deliveries became due outside a recording (a resume, a replay): workers are told now rather
 * than at their next poll. A hint: if it is lost, the poll still finds them.
 */
export async function wakeWorkers(db: HubDb): Promise<void> {
  try {
    await db.notify(DELIVERIES_CHANNEL);
  } catch {
    // a hint only
  }
}

/** The outbox: claims and completions (procedures), the history, replays. */
export function deliveriesDal(db: HubDb) {
  return {
    /** Told whenever deliveries may have become due, in this process or another. */
    onDeliveriesQueued: (listener: () => void) => db.listen(DELIVERIES_CHANNEL, listener),

    async claimDueDeliveries(now: number, limit: number, leaseMs: number, options?: ClaimOptions): Promise<ClaimedDelivery[]> {
      // The rows are made records here, off the SQLite writer's thread.
      return claimedDeliveries(await db.run('claimDeliveries', { now, limit, leaseMs, ...(options === undefined ? {} : { options }) }));
    },

    /** Records finished attempts; answers the destinations they paused. */
    async completeAttempts(results: readonly AttemptResult[]): Promise<PausedDestination[]> {
      return db.run('completeAttempts', completionRows(results));
    },

    /** A delivery, with its destination's name (null once the destination is gone). */
    getDelivery: (id: string) => db.read((k) => deliveryWithDestination(k, id)),

    listDeliveriesOfEvent(eventId: string): Promise<DeliveryRecord[]> {
      return db.read(async (k) => (await k.selectFrom('deliveries').selectAll().where('event_id', '=', eventId).orderBy('id').execute()).map(deliveryFromRow));
    },

    listDeliveries(filter: DeliveryFilter): Promise<Page<DeliveryRow>> {
      let query = db.kysely
        .selectFrom('deliveries as d')
        .innerJoin('events as e', 'e.id', 'd.event_id')
        .leftJoin('destinations as dn', 'dn.id', 'd.destination_id')
        .selectAll('d')
        .select(['dn.name as destination_name', 'e.type as event_type', 'e.user_id as event_user_id', 'e.offer_id as event_offer_id', 'e.amount_micros as event_amount_micros', 'e.currency as event_currency', 'e.metadata as event_metadata', 'e.test as event_test']);
      if (filter.from !== undefined) query = query.where('d.created_at', '>=', filter.from);
      if (filter.to !== undefined) query = query.where('d.created_at', '<', filter.to);
      if (filter.destinationId !== undefined) query = query.where('d.destination_id', '=', filter.destinationId);
      if (filter.state !== undefined) query = query.where('d.state', '=', filter.state);
      if (filter.eventId !== undefined) query = query.where('d.event_id', '=', filter.eventId);
      const toRow = (row: Record<string, unknown>): DeliveryRow => ({
        ...deliveryFromRow(row as unknown as DeliveriesTable),
        destinationName: (row.destination_name as string | null) ?? null,
        eventType: String(row.event_type),
        userId: (row.event_user_id as string | null) ?? null,
        offerId: (row.event_offer_id as string | null) ?? null,
        amountMicros: row.event_amount_micros === null ? null : Number(row.event_amount_micros),
        currency: (row.event_currency as string | null) ?? null,
        eventMetadata: parseJson<Record<string, unknown>>(row.event_metadata),
        test: Number(row.event_test) === 1,
      });
      return db.read(() => page(query as never, 'd.id', 'desc', filter, toRow, 'id'));
    },

    /**
     * Due again at once, a new round of the retry policy; one being sent is left alone. The
     * attempts go on being numbered from where they were (the history reads 1, 2, 3, not 1, 2, 1):
     * the round starts at the attempts made so far.
     */
    async replayDeliveries(filter: Omit<DeliveryFilter, 'limit' | 'cursor'> & { ids?: string[] }, now: number): Promise<number> {
      let query = db.kysely
        .updateTable('deliveries')
        .set((eb) => ({ state: 'pending', round_start: eb.ref('attempts'), next_attempt_at: now, lease_until: null, updated_at: now }))
        .where('state', '<>', 'delivering');
      if (filter.ids !== undefined) query = query.where('id', 'in', filter.ids.length > 0 ? filter.ids : ['']);
      if (filter.from !== undefined) query = query.where('created_at', '>=', filter.from);
      if (filter.to !== undefined) query = query.where('created_at', '<', filter.to);
      if (filter.destinationId !== undefined) query = query.where('destination_id', '=', filter.destinationId);
      if (filter.state !== undefined) query = query.where('state', '=', filter.state);
      if (filter.eventId !== undefined) query = query.where('event_id', '=', filter.eventId);
      const [rows] = await db.execute([query.returning('id').compile()]);
      const count = rows?.length ?? 0;
      if (count > 0) await wakeWorkers(db);
      return count;
    },

    listAttempts(deliveryId: string): Promise<AttemptRecord[]> {
      return db.read(async (k) =>
        (await k.selectFrom('delivery_attempts').selectAll().where('delivery_id', '=', deliveryId).orderBy('started_at').orderBy('id').execute()).map(attemptFromRow),
      );
    },

    /** By destination and state, the oldest due delivery, the paused destinations: the metrics' gauges. */
    deliveryStats(now: number) {
      return db.read(async (k) => {
        const byState = await k
          .selectFrom('deliveries')
          .select(['destination_id', 'state', (eb) => eb.fn.countAll<number>().as('count')])
          .where('state', 'in', ['pending', 'delivering', 'failed'])
          .groupBy(['destination_id', 'state'])
          .execute();
        return {
          byState: byState.map((r) => ({ destinationId: r.destination_id, state: r.state as DeliveryState, count: Number(r.count) })),
          oldestDueAt: await oldestDueAt(k, now),
          pausedDestinations: await pausedDestinations(k),
        };
      });
    },
  };
}

export type DeliveriesDal = ReturnType<typeof deliveriesDal>;

/** When the oldest due delivery became due; null when none is. */
export async function oldestDueAt(k: Kysely<Tables>, now: number): Promise<number | null> {
  const oldest = await k.selectFrom('deliveries').select((eb) => eb.fn.min('next_attempt_at').as('at')).where('state', '=', 'pending').where('next_attempt_at', '<=', now).executeTakeFirst();
  return oldest?.at === null || oldest?.at === undefined ? null : Number(oldest.at);
}

export async function pausedDestinations(k: Kysely<Tables>): Promise<number> {
  const paused = await k.selectFrom('destinations').select((eb) => eb.fn.countAll<number>().as('count')).where('paused_at', 'is not', null).executeTakeFirst();
  return Number(paused?.count ?? 0);
}

/** A delivery, with its destination's name (null once the destination is gone). */
async function deliveryWithDestination(k: Kysely<Tables>, id: string): Promise<(DeliveryRecord & { destinationName: string | null }) | null> {
  const row = await k
    .selectFrom('deliveries as d')
    .leftJoin('destinations as dn', 'dn.id', 'd.destination_id')
    .selectAll('d')
    .select('dn.name as destination_name')
    .where('d.id', '=', id)
    .executeTakeFirst();
  return row === undefined ? null : { ...deliveryFromRow(row), destinationName: row.destination_name ?? null };
}
