import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Tables } from '../../db/schema.js';
import type { HubDb } from '../procedures.js';
import type { Backlog, HubStats, ReportDimension, ReportRow, StatsBucket, StatsQuery } from './stats-types.js';
import type { DeliveryState } from '../delivery/delivery-types.js';
import { oldestDueAt, pausedDestinations } from '../delivery/deliveries-dal.js';

/** What the dashboard's overview and the reports read: across the features, read-only. */
export function statsDal(db: HubDb) {
  return {
    report(from: number, to: number, by: ReportDimension): Promise<ReportRow[]> {
      return db.read((k) => report(k, from, to, by));
    },

    stats(query: StatsQuery): Promise<HubStats> {
      const series = emptySeries(query);
      return db.read(async (k) => {
        await addEvents(k, series);
        await addRevenue(k, series);
        await addDeliveries(k, series);
        return {
          buckets: series.buckets,
          backlog: await backlog(k, query.now),
          oldestDueAt: await oldestDueAt(k, query.now),
          pausedDestinations: await pausedDestinations(k),
        };
      });
    },
  };
}

export type StatsDal = ReturnType<typeof statsDal>;

/** Clicks, conversions, revenue and coins per offer, partner or UTC day of [from, to), in key order. */
async function report(k: Kysely<Tables>, from: number, to: number, by: ReportDimension): Promise<ReportRow[]> {
  // Days are UTC days, numbered from the epoch: integer division works alike in both dialects.
  const key = (time: 'created_at' | 'received_at') => (by === 'offer' ? sql.ref('offer_id') : by === 'partner' ? sql.ref('partner') : sql`${sql.ref(time)} / 86400000`);
  const clicks = await sql<{ key: string | number | null; n: number }>`
    SELECT ${key('created_at')} AS key, COUNT(*) AS n FROM clicks
    WHERE created_at >= ${from} AND created_at < ${to} GROUP BY 1`.execute(k);
  const conversions = await sql<{ key: string | number | null; n: number; attributed: number; coins: number }>`
    SELECT ${key('received_at')} AS key, COUNT(*) AS n, COUNT(link_id) AS attributed, COALESCE(SUM(coins), 0) AS coins FROM events
    WHERE received_at >= ${from} AND received_at < ${to} AND outcome = 'accepted' AND (review IS NULL OR review <> 'rejected') AND test = 0
    GROUP BY 1`.execute(k);
  const revenue = await sql<{ key: string | number | null; currency: string; whole: string; fraction: string }>`
    SELECT ${key('received_at')} AS key, currency, ${SUM_WHOLE} AS whole, ${SUM_FRACTION} AS fraction FROM events
    WHERE received_at >= ${from} AND received_at < ${to} AND outcome = 'accepted' AND (review IS NULL OR review <> 'rejected') AND test = 0
      AND amount_micros IS NOT NULL AND currency IS NOT NULL
    GROUP BY 1, 2`.execute(k);
  const rows = new Map<string | null, ReportRow>();
  const row = (raw: string | number | null): ReportRow => {
    const k = raw === null ? null : by === 'day' ? new Date(Number(raw) * 86_400_000).toISOString().slice(0, 10) : String(raw);
    let r = rows.get(k);
    if (r === undefined) rows.set(k, (r = { key: k, clicks: 0, conversions: 0, attributed: 0, revenueMicros: {}, coins: 0 }));
    return r;
  };
  for (const c of clicks.rows) row(c.key).clicks = Number(c.n);
  for (const c of conversions.rows) Object.assign(row(c.key), { conversions: Number(c.n), attributed: Number(c.attributed), coins: Number(c.coins) });
  for (const r of revenue.rows) row(r.key).revenueMicros[r.currency] = exactSum(r);
  return [...rows.values()].sort((a, b) => (a.key ?? '').localeCompare(b.key ?? ''));
}

/** The overview's time series while it is filled: its buckets, and how a row finds its own. */
interface Series {
  from: number;
  to: number;
  buckets: StatsBucket[];
  /** The bucket's index of a row, computed in SQL. */
  index(column: 'received_at' | 'created_at'): RawBuilder<number>;
  /** The bucket at an index read back; undefined outside the range. */
  at(i: unknown): StatsBucket | undefined;
}

function emptySeries({ from, to, bucketMs }: StatsQuery): Series {
  const count = Math.max(0, Math.ceil((to - from) / bucketMs));
  const buckets = Array.from({ length: count }, (_, i): StatsBucket => ({
    start: from + i * bucketMs,
    accepted: 0,
    duplicate: 0,
    rejected: 0,
    coinsCredited: 0,
    coinsReversed: 0,
    revenueMicros: {},
    deliveries: { pending: 0, delivering: 0, succeeded: 0, failed: 0 },
  }));
  return {
    from,
    to,
    buckets,
    // A whole number on both dialects (SQLite binds JS numbers as REAL).
    index: (column) => sql<number>`CAST((${sql.ref(column)} - ${from}) / ${bucketMs} AS BIGINT)`,
    at: (i) => buckets[Number(i)],
  };
}

/** Events received, by outcome, and the coins they credited and took back. */
async function addEvents(k: Kysely<Tables>, series: Series): Promise<void> {
  const events = await k
    .selectFrom('events')
    .select((eb) => [
      series.index('received_at').as('i'),
      'outcome',
      eb.fn.countAll<number>().as('count'),
      sql<number>`COALESCE(SUM(CASE WHEN coins > 0 THEN coins ELSE 0 END), 0)`.as('credited'),
      sql<number>`COALESCE(SUM(CASE WHEN coins < 0 THEN -coins ELSE 0 END), 0)`.as('reversed'),
    ])
    .where('received_at', '>=', series.from)
    .where('received_at', '<', series.to)
    .where('test', '=', 0)
    .groupBy(['i', 'outcome'])
    .execute();
  for (const row of events) {
    const bucket = series.at(row.i);
    if (bucket === undefined) continue;
    const outcome = row.outcome as 'accepted' | 'duplicate' | 'rejected';
    if (outcome === 'accepted' || outcome === 'duplicate' || outcome === 'rejected') bucket[outcome] += Number(row.count);
    bucket.coinsCredited += Number(row.credited);
    bucket.coinsReversed += Number(row.reversed);
  }
}

/** The accepted events' revenue, exact, per currency. */
async function addRevenue(k: Kysely<Tables>, series: Series): Promise<void> {
  const revenue = await k
    .selectFrom('events')
    .select([series.index('received_at').as('i'), 'currency', SUM_WHOLE.as('whole'), SUM_FRACTION.as('fraction')])
    .where('received_at', '>=', series.from)
    .where('received_at', '<', series.to)
    .where('outcome', '=', 'accepted')
    .where('test', '=', 0)
    .where('amount_micros', 'is not', null)
    .where('currency', 'is not', null)
    .groupBy(['i', 'currency'])
    .execute();
  for (const row of revenue) {
    const bucket = series.at(row.i);
    if (bucket === undefined || row.currency === null) continue;
    bucket.revenueMicros[row.currency] = (bucket.revenueMicros[row.currency] ?? 0n) + exactSum(row);
  }
}

/**
 * Deliveries created in each bucket, by their state now; a test postback's are left out, as its
 * event is. (The backlog counts them: they are work the workers have to do all the same.)
 */
async function addDeliveries(k: Kysely<Tables>, series: Series): Promise<void> {
  const deliveries = await k
    .selectFrom('deliveries')
    .select((eb) => [series.index('created_at').as('i'), 'state', eb.fn.countAll<number>().as('count')])
    .where('created_at', '>=', series.from)
    .where('created_at', '<', series.to)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('events').select('events.id').whereRef('events.id', '=', 'deliveries.event_id').where('events.test', '=', 1))))
    .groupBy(['i', 'state'])
    .execute();
  for (const row of deliveries) {
    const bucket = series.at(row.i);
    const state = row.state as DeliveryState;
    if (bucket !== undefined && state in bucket.deliveries) bucket.deliveries[state] += Number(row.count);
  }
}

/** Deliveries waiting or given up now, whatever their age; those waiting as due, scheduled for later, or parked. */
async function backlog(k: Kysely<Tables>, now: number): Promise<Backlog> {
  const kind = sql<keyof Backlog>`CASE WHEN state <> 'pending' THEN state WHEN next_attempt_at IS NULL THEN 'parked' WHEN next_attempt_at > ${now} THEN 'scheduled' ELSE 'due' END`;
  const rows = await k
    .selectFrom('deliveries')
    .select([kind.as('kind'), (eb) => eb.fn.countAll<number>().as('count')])
    .where('state', 'in', ['pending', 'delivering', 'failed'])
    .groupBy('kind')
    .execute();
  const backlog: Backlog = { pending: 0, due: 0, scheduled: 0, parked: 0, delivering: 0, failed: 0 };
  for (const row of rows) if (row.kind in backlog) backlog[row.kind] = Number(row.count);
  backlog.pending = backlog.due + backlog.scheduled + backlog.parked;
  return backlog;
}

/**
 * A sum of amounts, exact at any size: whole units and micro-units summed apart (each as text),
 * so that neither a JavaScript number (2^53) nor SQLite's integer SUM (2^63, an error past it)
 * is ever what limits a report.
 */
const SUM_WHOLE = sql<string>`CAST(SUM(amount_micros / 1000000) AS TEXT)`;
const SUM_FRACTION = sql<string>`CAST(SUM(amount_micros % 1000000) AS TEXT)`;

function exactSum(row: { whole: string; fraction: string }): bigint {
  return BigInt(row.whole) * 1_000_000n + BigInt(row.fraction);
}
