import type { SqlExecutor } from './sql-executor.js';
import type { DeliveriesTable } from './schema.js';
import { deliveryFromRow } from './rows.js';
import type { AttemptResult, DeliveryRecord } from './store.js';

/**
 * The outbox's two write procedures, written once for both dialects. Claiming takes a lease
 * (state `delivering`, `lease_until`) that must outlast the HTTP timeout; a lease that
 * expired (its worker died) is claimable again, so every delivery is sent at least once.
 * On PostgreSQL, `FOR UPDATE SKIP LOCKED` lets any number of workers claim side by side.
 */
export async function claimDueDeliveries(db: SqlExecutor, now: number, limit: number, leaseMs: number): Promise<DeliveryRecord[]> {
  const rows = await db.query<DeliveriesTable>(
    `UPDATE deliveries SET state = 'delivering', lease_until = ?, updated_at = ?
     WHERE id IN (
       SELECT d.id FROM deliveries d JOIN destinations t ON t.id = d.destination_id
       WHERE t.enabled = 1 AND t.paused_at IS NULL
         AND ((d.state = 'pending' AND d.next_attempt_at <= ?) OR (d.state = 'delivering' AND d.lease_until <= ?))
       ORDER BY d.next_attempt_at LIMIT ?${db.skipLocked ? ' FOR UPDATE OF d SKIP LOCKED' : ''})
     RETURNING *`,
    [now + leaseMs, now, now, now, limit],
  );
  return rows.map(deliveryFromRow);
}

export async function completeAttempt(db: SqlExecutor, result: AttemptResult): Promise<void> {
  const { attempt, next, now } = result;
  await db.query(
    `INSERT INTO delivery_attempts (id, delivery_id, attempt, started_at, url, method, request_headers, status, latency_ms, response_excerpt, error)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [attempt.id, result.deliveryId, attempt.attempt, attempt.startedAt, attempt.url, attempt.method, JSON.stringify(attempt.requestHeaders), attempt.status, attempt.latencyMs, attempt.responseExcerpt, attempt.error],
  );
  await db.query(
    `UPDATE deliveries SET state = ?, attempts = ?, next_attempt_at = ?, lease_until = NULL, last_status = ?, last_error = ?, updated_at = ? WHERE id = ?`,
    [next.state, attempt.attempt, next.state === 'pending' ? next.at : null, attempt.status, attempt.error, now, result.deliveryId],
  );
  if (!result.failed) {
    await db.query('UPDATE destinations SET consecutive_failures = 0 WHERE id = ? AND consecutive_failures <> 0', [result.destinationId]);
    return;
  }
  // Paused, never dropped: its deliveries wait, and go out when an operator resumes it.
  await db.query(
    `UPDATE destinations SET consecutive_failures = consecutive_failures + 1,
       pause_reason = CASE WHEN paused_at IS NOT NULL THEN pause_reason
                           WHEN CAST(? AS TEXT) IS NOT NULL THEN ?
                           WHEN consecutive_failures + 1 >= ? THEN ? ELSE pause_reason END,
       paused_at = CASE WHEN paused_at IS NOT NULL THEN paused_at
                        WHEN CAST(? AS TEXT) IS NOT NULL OR consecutive_failures + 1 >= ? THEN ? ELSE NULL END
     WHERE id = ?`,
    [
      result.pauseNow,
      result.pauseNow,
      result.pauseAfterFailures,
      `${result.pauseAfterFailures} consecutive failed attempts`,
      result.pauseNow,
      result.pauseAfterFailures,
      now,
      result.destinationId,
    ],
  );
}
