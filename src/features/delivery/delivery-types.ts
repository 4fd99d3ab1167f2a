import type { EventRecord } from '../conversions/events-types.js';
export type DeliveryState = 'pending' | 'delivering' | 'succeeded' | 'failed';

export interface DeliveryFilter {
  from?: number;
  to?: number;
  destinationId?: string;
  state?: DeliveryState;
  eventId?: string;
  limit: number;
  cursor?: string;
}

/** A delivery with its event's facts, for the history table and its CSV. */
export type DeliveryRow = DeliveryRecord &
  Pick<EventRecord, 'userId' | 'offerId' | 'amountMicros' | 'currency' | 'test'> & {
    /** Its destination's name; null once the destination is gone. */
    destinationName: string | null;
    eventType: EventRecord['type'];
    eventMetadata: EventRecord['metadata'];
  };

export interface AttemptRecord {
  id: string;
  attempt: number;
  startedAt: number;
  url: string;
  method: string;
  /** Without secrets. */
  requestHeaders: Record<string, string>;
  status: number | null;
  latencyMs: number | null;
  responseExcerpt: string | null;
  error: string | null;
}

export interface ClaimOptions {
  /** Look for expired leases too (default true). A worker does so about once a second: they are rare. */
  expired?: boolean;
  /** Destinations to leave alone this time: this worker has more of theirs than it can send. */
  skipDestinations?: readonly string[];
}

export interface AttemptResult {
  deliveryId: string;
  destinationId: string;
  attempt: AttemptRecord;
  next: { state: 'succeeded' } | { state: 'pending'; at: number } | { state: 'failed' };
  /** Counts toward pausing the destination (a success resets the count). */
  failed: boolean;
  /** Pause the destination after this many consecutive failures… */
  pauseAfterFailures: number;
  /** …or now, for this reason (e.g. 410 Gone). */
  pauseNow: string | null;
  now: number;
}

export interface DeliveryRecord {
  id: string;
  eventId: string;
  destinationId: string;
  state: DeliveryState;
  /** Every attempt made, across replays. */
  attempts: number;
  /** Attempts made before the last replay: the retry policy counts only those after. */
  roundStart: number;
  nextAttemptAt: number | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

/** A leased delivery with the event it tells about (null only if the event is gone). */
export interface ClaimedDelivery extends DeliveryRecord {
  event: EventRecord | null;
  /** Its destination's `updatedAt` when claimed (null if it is gone): what the worker's copy must match. */
  destinationUpdatedAt: number | null;
}
