import type { CapRules, FraudFlag } from './fraud.js';
import type { Goal } from '../goals/definition.js';
import type { GoalAdvance } from '../goals/goal-sql.js';
import type { UserRecord } from '../ledger/ledger-types.js';
export type EventOutcome = 'accepted' | 'duplicate' | 'rejected';
export const EVENT_OUTCOMES: readonly EventOutcome[] = ['accepted', 'duplicate', 'rejected'];

/** The request as it arrived, minus secrets, kept so an operator can see what was sent. */
export interface RawRequest {
  method: string;
  path: string;
  query: Record<string, unknown>;
  headers: Record<string, string>;
  ip: string;
  body: string | null;
  bodyTruncated: boolean;
}

/** Fraud review: `flagged` was credited anyway, `held` waits for an operator. */
export type ReviewState = 'flagged' | 'held' | 'approved' | 'rejected';
export const REVIEW_STATES: readonly ReviewState[] = ['flagged', 'held', 'approved', 'rejected'];

/**
 * An event as stored: one inbound postback or platform event, and what the store decided about
 * it. The one declaration of an event; every layer that needs less takes a `Pick` of it.
 */
export interface EventRecord {
  id: string;
  source: string;
  type: string;
  /** The partner's unique id for this event; accepted events are unique on (source, externalId). */
  externalId: string | null;
  userId: string | null;
  offerId: string | null;
  appPid: string | null;
  level: number | null;
  amountMicros: number | null;
  currency: string | null;
  clickId: string | null;
  metadata: Record<string, unknown>;
  raw: RawRequest | null;
  receivedAt: number;
  /** Attribution: the partner whose traffic it was, through which link; set from the click. */
  partner: string | null;
  linkId: string | null;
  /** The partner's own click id, sent back in its postback. */
  partnerClickId: string | null;
  outcome: EventOutcome;
  reason: string | null;
  detail: string | null;
  duplicateOf: string | null;
  /** Coins this event moved the user's balance by (a reversal's are negative). */
  coins: number;
  /**
   * The exact reward credited, in micro-coins (signed); whole coins are credited as the user's
   * fractions from this source add up (ledger/carry.ts). Null when nothing was credited yet.
   */
  rewardMicros: number | null;
  flags: FraudFlag[];
  review: ReviewState | null;
  /**
   * The W3C traceparent of the intake span that recorded it (lib/tracing.ts), which its
   * deliveries' attempts continue; null when tracing was off.
   */
  traceContext: string | null;
  /**
   * A test postback sent from the dashboard: recorded through the real intake, but it credits
   * no ledger, advances no goal, is delivered only where the operator chose, and reports,
   * stats, traces and alerts leave it out.
   */
  test: boolean;
}

/** What the store decides about an event, inside the recording transaction. */
export type EventVerdict = Pick<EventRecord, 'outcome' | 'reason' | 'detail' | 'duplicateOf' | 'coins' | 'rewardMicros' | 'flags' | 'review'>;

/** What the intake knows about an event before the store decides its outcome. */
export type NewEvent = Omit<EventRecord, keyof EventVerdict>;

export type ReviewDecision = { approve: true; ledgerEntryId: string; deliveries: Array<{ id: string; destinationId: string }> } | { approve: false; ledgerEntryId: string };

/** Reference checks done inside the recording transaction, so they cannot race a delete. */
export type MissingReference = 'unknown_app' | 'unknown_offer' | 'unknown_user';

/** Why the store itself refused an event. */
export type StoreRejection = MissingReference | 'original_not_found';

/** An exact reward and the ledger entry it makes (if it comes to a whole coin or more). */
export interface Credit {
  ledgerEntryId: string;
  /** Micro-coins: 1 coin = 1,000,000. */
  micros: number;
  kind: string;
}

export interface RecordEventCommand {
  event: NewEvent;
  /** Rows that must exist for the event to be accepted; checked in this order. */
  requires: { appPid?: string; offerId?: string; userId?: string };
  /**
   * The exact reward (micro-coins) credited to `event.userId` if (and only if) the event is
   * accepted: its whole coins, and its fraction carried with the user's others from this source.
   */
  credit: Credit | null;
  /** Create `event.userId` if it does not exist yet (sources whose users the hub learns from postbacks). */
  ensureUser?: boolean;
  /** The caller answers without the user's balance: `user` is null unless coins were credited, saving a read. */
  noUserInResult?: boolean;
  /**
   * This event takes back what the accepted event with this external id (same source)
   * credited: a negative ledger entry of the same size, once. `credit` is then ignored and
   * `credit.ledgerEntryId`, if given, names the reversal's entry.
   */
  reversalOf?: string;
  /**
   * At most `coins` coins credited to this user by this source since `since` (epoch ms, the
   * start of the UTC day): the credit is cut to what is left, counted inside the transaction.
   */
  dailyCap?: { coins: number; since: number };
  /** Outbox rows for the destinations that want this event, written only if it is accepted. */
  deliveries?: Array<{ id: string; destinationId: string }>;
  /**
   * Fraud screening: findings made before the transaction (from the click), and caps counted
   * inside it (`since`: the start of the UTC day). A held event is recorded without its
   * credit and deliveries, which an approval adds later.
   */
  screening?: { flags: FraudFlag[]; caps: CapRules | null; since: number };
  /**
   * Goals this event advances (matched by the intake), each with its own event should this one
   * complete it: progressed in this transaction, if the event is accepted and not held.
   */
  goals?: GoalAdvance[];
  /** A reversal: the goals its original may have counted toward (matched on the original, inside the transaction). */
  goalsToRetreat?: Array<Pick<Goal, 'id' | 'config' | 'enabled'>>;
}

export type RecordEventResult =
  | { outcome: 'accepted'; eventId: string; coins: number; user: UserRecord | null }
  | { outcome: 'duplicate'; eventId: string; duplicateOf: string }
  | { outcome: 'rejected'; eventId: string; reason: StoreRejection };

export interface EventFilter {
  from?: number;
  to?: number;
  outcome?: EventOutcome;
  source?: string;
  userId?: string;
  offerId?: string;
  partner?: string;
  review?: ReviewState;
  /** Only test postbacks (true) or only real ones (false); both when absent. */
  test?: boolean;
  limit: number;
  cursor?: string;
}
