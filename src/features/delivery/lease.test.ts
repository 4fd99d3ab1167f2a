import { describe, expect, it } from 'vitest';
import { MAX_DESTINATION_TIMEOUT_MS } from '../destinations/definition.js';
import { fitsInLease, MIN_LEASE_MS, RECORD_MARGIN_MS } from './lease.js';

describe('lease', () => {
  it('is at least the longest destination timeout plus 10 s', () => {
    expect(MAX_DESTINATION_TIMEOUT_MS).toBe(60_000);
    expect(MIN_LEASE_MS).toBe(70_000);
  });

  it('lets a send start only if its timeout and the time to record it end within the lease', () => {
    const leaseUntil = 100_000;
    expect(fitsInLease(leaseUntil - 1_000 - RECORD_MARGIN_MS, 1_000, leaseUntil)).toBe(true);
    expect(fitsInLease(leaseUntil - 1_000 - RECORD_MARGIN_MS + 1, 1_000, leaseUntil)).toBe(false);
    expect(fitsInLease(leaseUntil, 100, leaseUntil)).toBe(false);
    expect(fitsInLease(leaseUntil + 1, 100, leaseUntil)).toBe(false);
  });

  it('leaves room under the shortest lease to send to a destination with the longest timeout a few seconds after the claim', () => {
    const claimedAt = 1_000_000;
    const leaseUntil = claimedAt + MIN_LEASE_MS;
    expect(fitsInLease(claimedAt, MAX_DESTINATION_TIMEOUT_MS, leaseUntil)).toBe(true);
    expect(fitsInLease(claimedAt + 5_000, MAX_DESTINATION_TIMEOUT_MS, leaseUntil)).toBe(true);
    expect(fitsInLease(claimedAt + 5_001, MAX_DESTINATION_TIMEOUT_MS, leaseUntil)).toBe(false);
  });
});
