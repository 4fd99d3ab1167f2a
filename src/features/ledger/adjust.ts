import { procedure } from '../../db/procedure.js';
import type { UsersTable } from '../../db/schema.js';
import { appendLedger } from '../conversions/event-credit.js';

export interface Adjustment {
  userId: string;
  ledgerEntryId: string;
  /** Whole coins, signed: a credit or a debit. */
  coins: number;
  note: string;
  at: number;
}

/**
 * An operator's credit or debit: a ledger entry of its own kind with its reason, the balance and
 * the app's feed, in one transaction. A debit never takes a balance below zero (checked with the
 * row locked by the update, so two debits racing cannot both pass).
 */
export const adjustBalance = procedure(async (db, a: Adjustment): Promise<UsersTable | 'not_found' | 'insufficient'> => {
  // Row locks exist where SKIP LOCKED does (PostgreSQL); SQLite's one writer needs none.
  const [user] = await db.query<{ coins: number }>(`SELECT coins FROM users WHERE id = ?${db.skipLocked ? ' FOR UPDATE' : ''}`, [a.userId]);
  if (user === undefined) return 'not_found';
  if (a.coins < 0 && Number(user.coins) + a.coins < 0) return 'insufficient';
  const row = await appendLedger(db, a.userId, null, { ledgerEntryId: a.ledgerEntryId, coins: a.coins, kind: 'adjustment', note: a.note }, a.at);
  return row ?? 'not_found';
});
