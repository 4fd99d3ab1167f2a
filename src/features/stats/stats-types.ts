import type { DeliveryState } from '../delivery/delivery-types.js';
export type ReportDimension = 'offer' | 'partner' | 'day';

/** One row of a report; conversions are accepted events not rejected in review. */
export interface ReportRow {
  key: string | null;
  clicks: number;
  conversions: number;
  /** Of those, the ones attributed to a click: the conversion rate's numerator. */
  attributed: number;
  /** Per currency, exact: a sum can pass 2^53 micro-units. */
  revenueMicros: Record<string, bigint>;
  coins: number;
}

/** The dashboard's time series: [from, to) cut into buckets of `bucketMs`, the first starting at `from`. */
export interface StatsQuery {
  from: number;
  to: number;
  bucketMs: number;
  /** For the age of the oldest due delivery. */
  now: number;
}

export interface StatsBucket {
  /** Epoch ms: `from + i × bucketMs`. */
  start: number;
  /** Events received in the bucket, by outcome. */
  accepted: number;
  duplicate: number;
  rejected: number;
  /** Coins credited (positive ledger moves) and taken back (reversals, as a positive number) by those events. */
  coinsCredited: number;
  coinsReversed: number;
  /** Revenue of the accepted events, integer micro-units per currency. */
  /** Per currency, exact: a sum can pass 2^53 micro-units. */
  revenueMicros: Record<string, bigint>;
  /** Deliveries created in the bucket, by their state now. */
  deliveries: Record<DeliveryState, number>;
}

export interface HubStats {
  /** Every bucket of the range, empty ones included, oldest first. */
  buckets: StatsBucket[];
  /** Deliveries waiting or given up now, whatever their age. */
  backlog: Backlog;
  /** When the oldest due delivery became due (null: none is due). */
  oldestDueAt: number | null;
  pausedDestinations: number;
}

/**
 * Deliveries waiting or given up now. `pending` is every one waiting, in three parts: `due`
 * (its time has come: what the oldest-due age measures), `scheduled` (a retry set for later)
 * and `parked` (its destination paused or disabled).
 */
export interface Backlog {
  pending: number;
  due: number;
  scheduled: number;
  parked: number;
  delivering: number;
  failed: number;
}
