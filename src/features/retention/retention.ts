import type { Clock } from '../../lib/clock.js';
import type { HubDb } from '../procedures.js';

/**
 * Attempts, finished deliveries, raw request bodies and acknowledged feed entries older than the
 * retention, a batch at a time (no statement holds the write lock for long). Ledger entries and events' essential
 * fields stay. Answers how many rows it changed.
 */
export async function prune(db: HubDb, before: number, batch: number): Promise<number> {
  const oldAttempts = db.kysely.selectFrom('delivery_attempts').select('id').where('started_at', '<', before).limit(batch);
  const finished = db.kysely
    .selectFrom('deliveries')
    .select('id')
    .where('state', 'in', ['succeeded', 'failed'])
    .where('updated_at', '<', before)
    .limit(batch);
  const oldRaw = db.kysely.selectFrom('events').select('id').where('received_at', '<', before).where('raw', 'is not', null).limit(batch);
  const acknowledged = db.kysely.selectFrom('credit_feed').select('seq').where('acked_at', '<', before).limit(batch);
  const results = await db.execute([
    db.kysely.deleteFrom('delivery_attempts').where('id', 'in', oldAttempts).returning('id').compile(),
    // A finished delivery goes once its attempts have (attempts are older than their delivery's end).
    db.kysely
      .deleteFrom('deliveries')
      .where('id', 'in', finished)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('delivery_attempts').select('id').whereRef('delivery_attempts.delivery_id', '=', 'deliveries.id'))))
      .returning('id')
      .compile(),
    db.kysely.updateTable('events').set({ raw: null }).where('id', 'in', oldRaw).returning('id').compile(),
    // The feed's acknowledged entries (the ledger keeps them).
    db.kysely.deleteFrom('credit_feed').where('seq', 'in', acknowledged).returning('seq').compile(),
  ]);
  return results.reduce((sum, rows) => sum + rows.length, 0);
}

/**
 * Prunes in the background, a batch at a time, so the store does not grow without bound and
 * no statement holds a lock for long. Ledger entries and events' essential fields stay.
 */
export function startRetention(db: HubDb, clock: Clock, days: number, log: { warn: (o: object, m: string) => void }): NodeJS.Timeout {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void (async () => {
      try {
        const before = clock.now() - days * 86_400_000;
        for (let i = 0; i < 20 && (await prune(db, before, 500)) > 0; i++);
      } catch (error) {
        log.warn({ err: error }, 'retention pass failed; will try again');
      } finally {
        running = false;
      }
    })();
  }, 60_000);
  timer.unref();
  return timer;
}

