import { appendLedger, insertDeliveries } from './record-event.js';
import { eventFromRow } from './rows.js';
import type { EventsTable } from './schema.js';
import type { SqlExecutor } from './sql-executor.js';
import type { EventRecord, ReviewDecision } from './store.js';

/**
 * An operator's decision on a screened event, in one transaction. Approving a held event
 * writes the credit and deliveries it was recorded without. Rejecting takes back whatever the
 * event credited (a reversal entry: ledgers are never edited) and leaves it uncredited.
 */
export async function reviewEvent(db: SqlExecutor, id: string, decision: ReviewDecision, now: number): Promise<EventRecord | 'not_found' | 'conflict'> {
  const [row] = await db.query<EventsTable>('SELECT * FROM events WHERE id = ?', [id]);
  if (row === undefined) return 'not_found';
  const event = eventFromRow(row);
  if (event.outcome !== 'accepted') return 'conflict';

  if (decision.approve) {
    if (event.review !== 'held') return 'conflict';
    const held = event.metadata.heldCredit as { coins: number; kind: string } | undefined;
    let coins = 0;
    if (held !== undefined && held.coins !== 0 && event.userId !== null) {
      await appendLedger(db, event.userId, event.id, { ledgerEntryId: decision.ledgerEntryId, coins: held.coins, kind: held.kind }, now);
      coins = held.coins;
    }
    await insertDeliveries(db, event.id, now, decision.deliveries);
    await db.query("UPDATE events SET review = 'approved', coins = ? WHERE id = ? AND review = 'held'", [coins, id]);
    return { ...event, review: 'approved', coins };
  }

  if (event.review === null || event.review === 'rejected') return 'conflict';
  const [credited] = await db.query<{ net: number }>('SELECT COALESCE(SUM(delta), 0) AS net FROM ledger_entries WHERE event_id = ?', [id]);
  const net = Number(credited?.net ?? 0);
  if (net !== 0 && event.userId !== null) {
    await appendLedger(db, event.userId, event.id, { ledgerEntryId: decision.ledgerEntryId, coins: -net, kind: 'reversal' }, now);
  }
  await db.query("UPDATE events SET review = 'rejected' WHERE id = ?", [id]);
  return { ...event, review: 'rejected' };
}
