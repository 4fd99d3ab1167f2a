import type { SqlExecutor } from '../../db/executor.js';
import { procedure } from '../../db/procedure.js';

/** A notice as the history keeps it: firing (the alert started), repeat (still firing), resolved. */
export type NoticeState = 'firing' | 'repeat' | 'resolved';

/** One transition a process wants to make, with the notice it would send if it wins it. */
export interface AlertClaim {
  state: NoticeState;
  rule: string;
  subject: string;
  title: string;
  message: string;
  /** repeat, resolved: the episode the process saw firing (a newer one is left alone). */
  startedAt: number;
  /** The notice's id in the history (time-ordered: the history's cursor). */
  noticeId: string;
}

export interface ClaimArgs {
  now: number;
  /** A repeat is won only if the alert's last notice is at least this old. */
  repeatMs: number;
  claims: AlertClaim[];
  /** The channels each won notice is to reach. */
  channels: string[];
  /** Until when the winner alone sends it; after that any process retries what is left. */
  sendLeaseMs: number;
}

/**
 * Claims alert transitions by compare-and-set: the alert's row changes only from the state the
 * claimer saw (a start only from none or resolved; a repeat only while the same episode fires
 * and its last notice is old enough; a resolution only of the same episode). A won transition
 * appends its notice to the history in the same transaction, so of several processes checking
 * at once exactly one sends each notice. Answers the ids of the notices won.
 */
export const claimAlerts = procedure(async (tx, args: ClaimArgs): Promise<string[]> => {
  const won: string[] = [];
  for (const claim of args.claims) {
    if ((await claimOne(tx, claim, args)).length === 0) continue;
    won.push(claim.noticeId);
    const pending = args.channels.length === 0 ? null : JSON.stringify(args.channels);
    await tx.query(
      `INSERT INTO alert_history (id, at, rule, subject, state, title, message, started_at, pending, retry_at, outcomes)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ${tx.jsonColumn('?')}, ?, ${tx.jsonColumn('?')})`,
      [claim.noticeId, args.now, claim.rule, claim.subject, claim.state, claim.title, claim.message, claim.state === 'firing' ? args.now : claim.startedAt, pending, pending === null ? null : args.now + args.sendLeaseMs, '{}'],
    );
  }
  return won;
});

function claimOne(tx: SqlExecutor, claim: AlertClaim, args: ClaimArgs): Promise<unknown[]> {
  const { rule, subject, title, message } = claim;
  switch (claim.state) {
    case 'firing':
      return tx.query(
        `INSERT INTO alert_state (rule, subject, state, title, message, started_at, last_sent_at, resolved_at)
         VALUES (?, ?, 'firing', ?, ?, ?, ?, NULL)
         ON CONFLICT (rule, subject) DO UPDATE SET state = 'firing', title = excluded.title, message = excluded.message,
           started_at = excluded.started_at, last_sent_at = excluded.last_sent_at, resolved_at = NULL
         WHERE alert_state.state = 'resolved'
         RETURNING rule`,
        [rule, subject, title, message, args.now, args.now],
      );
    case 'repeat':
      return tx.query(
        `UPDATE alert_state SET last_sent_at = ?, title = ?, message = ?
         WHERE rule = ? AND subject = ? AND state = 'firing' AND started_at = ? AND last_sent_at <= ? RETURNING rule`,
        [args.now, title, message, rule, subject, claim.startedAt, args.now - args.repeatMs],
      );
    case 'resolved':
      return tx.query(`UPDATE alert_state SET state = 'resolved', resolved_at = ? WHERE rule = ? AND subject = ? AND state = 'firing' AND started_at = ? RETURNING rule`, [
        args.now,
        rule,
        subject,
        claim.startedAt,
      ]);
  }
}
