import type { Clock } from '../../lib/clock.js';
import { ValidationError } from '../../lib/errors.js';
import type { DeliveryState } from '../delivery/delivery-types.js';
import type { StatsDal } from './stats-dal.js';
import type { HubStats, ReportDimension, ReportRow, StatsBucket } from './stats-types.js';

/** A range cut finer than this is refused: the answer would be larger than any chart shows. */
export const MAX_BUCKETS = 2000;
const DEFAULT_RANGE_MS = 3_600_000;
const DEFAULT_BUCKET_SECONDS = 60;

/** The overview's range; what is left out takes its default (the last hour, by the minute). */
export interface OverviewQuery {
  from?: number;
  to?: number;
  bucketSeconds?: number;
}

/** What a bucket, or the whole range, counts; `successRate` is succeeded / (succeeded + failed). */
export type StatsCounts = Omit<StatsBucket, 'start'> & { successRate: number | null };

export interface Overview {
  from: number;
  to: number;
  bucketSeconds: number;
  now: number;
  buckets: Array<StatsCounts & { start: number }>;
  totals: StatsCounts;
  backlog: HubStats['backlog'];
  /** How long the oldest due delivery has waited, whole seconds; null when none is due. */
  oldestDueAgeSeconds: number | null;
  pausedDestinations: number;
}

export interface ReportLine extends ReportRow {
  /** attributed / clicks; null without clicks. */
  conversionRate: number | null;
}

/** The dashboard's overview and the reports: read-only, across the features. */
export class StatsService {
  constructor(
    private readonly store: Pick<StatsDal, 'stats' | 'report'>,
    private readonly clock: Clock,
  ) {}

  async overview(query: OverviewQuery): Promise<Overview> {
    const now = this.clock.now();
    const to = query.to ?? now;
    const from = query.from ?? to - DEFAULT_RANGE_MS;
    const bucketSeconds = query.bucketSeconds ?? DEFAULT_BUCKET_SECONDS;
    const bucketMs = bucketSeconds * 1000;
    if (from >= to) throw new ValidationError('from', 'must be before to');
    if (Math.ceil((to - from) / bucketMs) > MAX_BUCKETS) throw new ValidationError('bucket', `makes more than ${MAX_BUCKETS} buckets for this range: choose a larger one`);
    const stats = await this.store.stats({ from, to, bucketMs, now });
    return {
      from,
      to,
      bucketSeconds,
      now,
      buckets: stats.buckets.map((bucket) => ({ ...bucket, successRate: successRate(bucket.deliveries) })),
      totals: totals(stats.buckets),
      backlog: stats.backlog,
      oldestDueAgeSeconds: stats.oldestDueAt === null ? null : Math.max(0, Math.floor((now - stats.oldestDueAt) / 1000)),
      pausedDestinations: stats.pausedDestinations,
    };
  }

  /** Clicks, conversions, revenue and coins over [from, to), by offer, partner or UTC day. */
  async report(from: number, to: number, by: ReportDimension): Promise<ReportLine[]> {
    if (to <= from) throw new ValidationError('to', 'must be after from');
    const rows = await this.store.report(from, to, by);
    return rows.map((row) => ({ ...row, conversionRate: row.clicks === 0 ? null : row.attributed / row.clicks }));
  }
}

function successRate(deliveries: Record<DeliveryState, number>): number | null {
  const finished = deliveries.succeeded + deliveries.failed;
  return finished === 0 ? null : deliveries.succeeded / finished;
}

/** The buckets summed; revenue stays exact (bigint micro-units per currency). */
export function totals(buckets: readonly StatsBucket[]): StatsCounts {
  const sum: Omit<StatsBucket, 'start'> = { accepted: 0, duplicate: 0, rejected: 0, coinsCredited: 0, coinsReversed: 0, revenueMicros: {}, deliveries: { pending: 0, delivering: 0, succeeded: 0, failed: 0 } };
  for (const b of buckets) {
    sum.accepted += b.accepted;
    sum.duplicate += b.duplicate;
    sum.rejected += b.rejected;
    sum.coinsCredited += b.coinsCredited;
    sum.coinsReversed += b.coinsReversed;
    for (const [currency, micros] of Object.entries(b.revenueMicros)) sum.revenueMicros[currency] = (sum.revenueMicros[currency] ?? 0n) + micros;
    for (const state of Object.keys(b.deliveries) as DeliveryState[]) sum.deliveries[state] += b.deliveries[state];
  }
  return { ...sum, successRate: successRate(sum.deliveries) };
}
