import { appendLedger, creditCoins } from './event-credit.js';
import { MICROS_PER_COIN } from '../ledger/carry.js';
import { insertDeliveries } from './record-event.js';
import { eventFromRow } from './events-dal.js';
import type { EventsTable } from '../../db/schema.js';
import { procedure } from '../../db/procedure.js';
import type { EventRecord, ReviewDecision } from './events-types.js';

/**
 * An operator's decision on a screened event, in one transaction. Approving a held event
 * writes the credit and deliveries it was recorded without. Rejecting takes back whatever the
 * event credited (a reversal entry: ledgers are never edited) and leaves it uncredited.
 *
 * The state changes first, conditionally: the row lock makes a second decision racing this
 * one (two operators, two clicks) find the new state and change nothing, so an event is never
 * credited or reversed twice.
 */
export const reviewEvent = procedure(async (db, { id, decision, now }: { id: string; decision: ReviewDecision; now: number }): Promise<EventRecord | 'not_found' | 'conflict'> => {
  const [row] = await db.query<EventsTable>(
    decision.approve
      ? "UPDATE events SET review = 'approved' WHERE id = ? AND outcome = 'accepted' AND review = 'held' RETURNING *"
      : "UPDATE events SET review = 'rejected' WHERE id = ? AND outcome = 'accepted' AND review IN ('flagged', 'held', 'approved') RETURNING *",
    [id],
  );
  if (row === undefined) {
    const [exists] = await db.query<{ id: string }>('SELECT id FROM events WHERE id = ?', [id]);
    return exists === undefined ? 'not_found' : 'conflict';
  }
  const event = eventFromRow(row);

  if (decision.approve) {
    const held = event.metadata.heldCredit as { micros?: number; coins?: number; kind: string } | undefined;
    const micros = held === undefined ? 0 : (held.micros ?? (held.coins ?? 0) * MICROS_PER_COIN);
    if (held !== undefined && micros !== 0 && event.userId !== null) {
      const [coins = 0] = await creditCoins(db, [{ userId: event.userId, source: event.source, micros, at: now }]);
      if (coins !== 0) await appendLedger(db, event.userId, event.id, { ledgerEntryId: decision.ledgerEntryId, coins, kind: held.kind }, now);
      await db.query('UPDATE events SET coins = ?, reward_micros = ? WHERE id = ?', [coins, micros, id]);
      event.coins = coins;
      event.rewardMicros = micros;
    }
    await insertDeliveries(db, event.id, now, decision.deliveries);
    return event;
  }

  // Rejected after it was credited (flagged, or approved): its exact reward is taken back, and
  // nothing of it stands (a later reversal postback takes back nothing more). Recorded before
  // 0006 (no exact reward): what its ledger entries credited.
  if (event.userId !== null && row.reward_micros !== null && Number(row.reward_micros) !== 0) {
    const [coins = 0] = await creditCoins(db, [{ userId: event.userId, source: event.source, micros: -Number(row.reward_micros), at: now }]);
    if (coins !== 0) await appendLedger(db, event.userId, event.id, { ledgerEntryId: decision.ledgerEntryId, coins, kind: 'reversal' }, now);
  } else if (event.userId !== null && row.reward_micros === null) {
    const [credited] = await db.query<{ net: number }>('SELECT COALESCE(SUM(delta), 0) AS net FROM ledger_entries WHERE event_id = ?', [id]);
    const net = Number(credited?.net ?? 0);
    if (net !== 0) await appendLedger(db, event.userId, event.id, { ledgerEntryId: decision.ledgerEntryId, coins: -net, kind: 'reversal' }, now);
  }
  await db.query('UPDATE events SET reward_micros = 0 WHERE id = ?', [id]);
  return { ...event, rewardMicros: 0 };
});
