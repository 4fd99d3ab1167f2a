import type { Database } from '../db/database.js';
import type { Registry } from '../db/procedure.js';
import { recordClicks } from './clicks/clicks-sql.js';
import { recordEvent, recordEvents, recordRejection } from './conversions/record-event.js';
import { reviewEvent } from './conversions/review-event.js';
import { claimDeliveries, completeAttempts } from './delivery/deliveries-sql.js';
import { adjustBalance } from './ledger/adjust.js';
import { ackFeed } from './reward-app/feed-sql.js';
import { claimAlerts } from './alerts/alerts-sql.js';

/**
 * Every transactional procedure, by name: the one list both dialects' write channels run (the
 * SQLite writer thread loads this module by its URL). Adding a procedure: write it beside its
 * feature with `procedure()` (db/procedure.ts) and name it here.
 */
export const procedures = {
  recordEvent,
  recordEvents,
  recordRejection,
  reviewEvent,
  claimDeliveries,
  completeAttempts,
  recordClicks,
  adjustBalance,
  ackFeed,
  claimAlerts,
} satisfies Registry;

export type Procedures = typeof procedures;

/** The hub's database: reads, these procedures, plain statements. */
export type HubDb = Database<Procedures>;

/** This module, for the SQLite writer thread to load. */
export const PROCEDURES_MODULE = import.meta.url;
