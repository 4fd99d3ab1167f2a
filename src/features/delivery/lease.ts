import { MAX_DESTINATION_TIMEOUT_MS } from '../destinations/definition.js';

/**
 * A claimed delivery is leased (`lease_until`); once the lease runs out any worker may claim
 * it again. So a send must end, and its attempt be recorded, before then: otherwise two
 * workers could send the same delivery at the same moment.
 */

/** Time after the request's deadline to record the attempt (a group commit: milliseconds, unless the store is struggling). */
export const RECORD_MARGIN_MS = 5_000;

/**
 * Time between the claim and the send (the destination read, a limiter's turn) that the
 * shortest lease still leaves a destination with the longest timeout: without it, such a
 * destination would be left under every lease and never sent.
 */
const CLAIM_TO_SEND_MS = 5_000;

/** The shortest `DELIVERY_LEASE_MS` allowed: 70 s. */
export const MIN_LEASE_MS = MAX_DESTINATION_TIMEOUT_MS + RECORD_MARGIN_MS + CLAIM_TO_SEND_MS;

/** Whether a request started `now` with this timeout ends, and is recorded, before the lease runs out. */
export function fitsInLease(now: number, timeoutMs: number, leaseUntil: number): boolean {
  return now + timeoutMs + RECORD_MARGIN_MS <= leaseUntil;
}
