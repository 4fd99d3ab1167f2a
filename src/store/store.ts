/**
 * The storage contract. Two adapters implement it (sqlite/, postgres/) and one test suite
 * (test/store.test.ts) runs against both. Services depend on the slice they use, e.g.
 * `Pick<Store, 'recordEvent'>`.
 *
 * Glossary: an *event* is one inbound postback or platform event with its outcome; a *ledger
 * entry* is an append-only coin delta linked to the event that caused it; a user's `coins` is
 * the sum of their ledger entries, maintained in the same transaction that appends an entry.
 */

import type { CapRules, FraudFlag } from '../features/conversions/fraud.js';

export type EventOutcome = 'accepted' | 'duplicate' | 'rejected';
export const EVENT_OUTCOMES: readonly EventOutcome[] = ['accepted', 'duplicate', 'rejected'];

export interface UserRecord {
  id: string;
  appId: string | null;
  deviceId: string | null;
  coins: number;
  createdAt: number;
  updatedAt: number;
}

export interface AppRecord {
  pid: string;
  name: string | null;
  createdAt: number;
}

export interface OfferRecord {
  id: string;
  name: string | null;
  createdAt: number;
}

export interface ApiSecretRecord {
  id: string;
  name: string | null;
  prefix: string;
  createdAt: number;
  revokedAt: number | null;
}

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

/** What the intake knows about an event before the store decides its outcome. */
export interface NewEvent {
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
  partner?: string | null;
  linkId?: string | null;
  /** The partner's own click id, sent back in its postback. */
  partnerClickId?: string | null;
}

/** Fraud review: `flagged` was credited anyway, `held` waits for an operator. */
export type ReviewState = 'flagged' | 'held' | 'approved' | 'rejected';
export const REVIEW_STATES: readonly ReviewState[] = ['flagged', 'held', 'approved', 'rejected'];

export interface EventRecord extends NewEvent {
  outcome: EventOutcome;
  reason: string | null;
  detail: string | null;
  duplicateOf: string | null;
  coins: number;
  partner: string | null;
  linkId: string | null;
  partnerClickId: string | null;
  flags: FraudFlag[];
  review: ReviewState | null;
}

export interface LinkRecord {
  id: string;
  name: string | null;
  offerId: string;
  partner: string | null;
  config: Record<string, unknown>;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export type LinkPatch = Partial<Pick<LinkRecord, 'name' | 'partner' | 'config' | 'enabled'>>;

export interface ClickRecord {
  id: string;
  linkId: string;
  offerId: string;
  partner: string | null;
  userId: string | null;
  partnerClickId: string | null;
  ip: string | null;
  userAgent: string | null;
  query: Record<string, string>;
  createdAt: number;
}

export interface ClickFilter {
  from?: number;
  to?: number;
  linkId?: string;
  userId?: string;
  limit: number;
  cursor?: string;
}

export type ReportDimension = 'offer' | 'partner' | 'day';

/** One row of a report; conversions are accepted events not rejected in review. */
export interface ReportRow {
  key: string | null;
  clicks: number;
  conversions: number;
  /** Of those, the ones attributed to a click: the conversion rate's numerator. */
  attributed: number;
  /** Per currency, exact: a sum can pass 2^53 micro-units. */
  revenueMicros: Record<string, bigint>;
  coins: number;
}

export type ReviewDecision = { approve: true; ledgerEntryId: string; deliveries: Array<{ id: string; destinationId: string }> } | { approve: false; ledgerEntryId: string };

export interface LedgerEntryRecord {
  id: string;
  userId: string;
  eventId: string | null;
  delta: number;
  kind: string;
  createdAt: number;
}

/** Reference checks done inside the recording transaction, so they cannot race a delete. */
export type MissingReference = 'unknown_app' | 'unknown_offer' | 'unknown_user';

/** Why the store itself refused an event. */
export type StoreRejection = MissingReference | 'original_not_found';

export interface RecordEventCommand {
  event: NewEvent;
  /** Rows that must exist for the event to be accepted; checked in this order. */
  requires: { appPid?: string; offerId?: string; userId?: string };
  /** Coins appended to the ledger of `event.userId` if (and only if) the event is accepted. */
  credit: { ledgerEntryId: string; coins: number; kind: string } | null;
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
}

export type DeliveryState = 'pending' | 'delivering' | 'succeeded' | 'failed';

export interface DeliveryFilter {
  from?: number;
  to?: number;
  destinationId?: string;
  state?: DeliveryState;
  eventId?: string;
  limit: number;
  cursor?: string;
}

/** A delivery with its event's facts, for the history table and its CSV. */
export interface DeliveryRow extends DeliveryRecord {
  eventType: string;
  userId: string | null;
  offerId: string | null;
  amountMicros: number | null;
  currency: string | null;
  eventMetadata: Record<string, unknown>;
}

export interface AttemptRecord {
  id: string;
  attempt: number;
  startedAt: number;
  url: string;
  method: string;
  /** Without secrets. */
  requestHeaders: Record<string, string>;
  status: number | null;
  latencyMs: number | null;
  responseExcerpt: string | null;
  error: string | null;
}

export interface ClaimOptions {
  /** Look for expired leases too (default true). A worker does so about once a second: they are rare. */
  expired?: boolean;
  /** Destinations to leave alone this time: this worker has more of theirs than it can send. */
  skipDestinations?: readonly string[];
}

export interface AttemptResult {
  deliveryId: string;
  destinationId: string;
  attempt: AttemptRecord;
  next: { state: 'succeeded' } | { state: 'pending'; at: number } | { state: 'failed' };
  /** Counts toward pausing the destination (a success resets the count). */
  failed: boolean;
  /** Pause the destination after this many consecutive failures… */
  pauseAfterFailures: number;
  /** …or now, for this reason (e.g. 410 Gone). */
  pauseNow: string | null;
  now: number;
}

export interface DestinationRecord {
  id: string;
  name: string;
  config: Record<string, unknown>;
  secretsCiphertext: string | null;
  enabled: boolean;
  pausedAt: number | null;
  pauseReason: string | null;
  consecutiveFailures: number;
  createdAt: number;
  updatedAt: number;
}

export type DestinationPatch = Partial<Pick<DestinationRecord, 'name' | 'config' | 'secretsCiphertext' | 'enabled'>>;

export interface DeliveryRecord {
  id: string;
  eventId: string;
  destinationId: string;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: number | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

/** A leased delivery with the event it tells about (null only if the event is gone). */
export interface ClaimedDelivery extends DeliveryRecord {
  event: EventRecord | null;
  /** Its destination's `updatedAt` when claimed (null if it is gone): what the worker's copy must match. */
  destinationUpdatedAt: number | null;
}

export type RecordEventResult =
  | { outcome: 'accepted'; eventId: string; coins: number; user: UserRecord | null }
  | { outcome: 'duplicate'; eventId: string; duplicateOf: string }
  | { outcome: 'rejected'; eventId: string; reason: StoreRejection };

export interface SourceRecord {
  slug: string;
  name: string | null;
  preset: string;
  overrides: Record<string, unknown>;
  secretCiphertext: string | null;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export type SourcePatch = Partial<Pick<SourceRecord, 'name' | 'preset' | 'overrides' | 'secretCiphertext' | 'enabled'>>;

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface EventFilter {
  from?: number;
  to?: number;
  outcome?: EventOutcome;
  source?: string;
  userId?: string;
  offerId?: string;
  partner?: string;
  review?: ReviewState;
  limit: number;
  cursor?: string;
}

/** The dashboard's time series: [from, to) cut into buckets of `bucketMs`, the first starting at `from`. */
export interface StatsQuery {
  from: number;
  to: number;
  bucketMs: number;
  /** For the age of the oldest due delivery. */
  now: number;
}

export interface StatsBucket {
  /** Epoch ms: `from + i × bucketMs`. */
  start: number;
  /** Events received in the bucket, by outcome. */
  accepted: number;
  duplicate: number;
  rejected: number;
  /** Coins credited (positive ledger moves) and taken back (reversals, as a positive number) by those events. */
  coinsCredited: number;
  coinsReversed: number;
  /** Revenue of the accepted events, integer micro-units per currency. */
  /** Per currency, exact: a sum can pass 2^53 micro-units. */
  revenueMicros: Record<string, bigint>;
  /** Deliveries created in the bucket, by their state now. */
  deliveries: Record<DeliveryState, number>;
}

export interface HubStats {
  /** Every bucket of the range, empty ones included, oldest first. */
  buckets: StatsBucket[];
  /** Deliveries waiting or given up now, whatever their age. */
  backlog: { pending: number; delivering: number; failed: number };
  /** When the oldest due delivery became due (null: none is due). */
  oldestDueAt: number | null;
  pausedDestinations: number;
}

export interface ListOptions {
  limit: number;
  cursor?: string;
}

export interface Store {
  readonly dialect: 'sqlite' | 'postgres';

  /** Resolves when the store can read and write; rejects with StoreUnavailableError otherwise. */
  ping(): Promise<void>;
  /** Finishes every write already submitted, then releases connections and files. */
  close(): Promise<void>;

  // Intake: the hot path.
  findActiveApiSecret(secretHash: string): Promise<{ id: string } | null>;
  /**
   * Records an event and its consequences atomically: checks `requires`, de-duplicates on
   * (source, externalId), appends the credit and moves the balance. Every call writes exactly
   * one event row, whatever the outcome. Resolves only once that is durable.
   */
  recordEvent(command: RecordEventCommand): Promise<RecordEventResult>;
  /** Several events in one transaction (a batch API call): all recorded, or none if the store fails. */
  recordEvents(commands: readonly RecordEventCommand[]): Promise<RecordEventResult[]>;
  /** Records a request refused before it became an event (bad auth, bad body, …). */
  recordRejection(event: NewEvent, reason: string, detail: string): Promise<void>;

  // Users and ledger.
  createUser(user: Omit<UserRecord, 'coins' | 'updatedAt'>): Promise<UserRecord>;
  getUser(id: string): Promise<UserRecord | null>;
  listUsers(options: ListOptions): Promise<Page<UserRecord>>;
  updateUser(id: string, patch: { appId?: string | null; deviceId?: string | null }, now: number): Promise<UserRecord | null>;
  /** 'has_ledger' when the user has entries: a ledger is never rewritten. */
  deleteUser(id: string): Promise<'deleted' | 'not_found' | 'has_ledger'>;
  listLedger(userId: string, options: ListOptions): Promise<Page<LedgerEntryRecord>>;

  // Catalog.
  createApp(app: AppRecord): Promise<AppRecord>;
  getApp(pid: string): Promise<AppRecord | null>;
  listApps(options: ListOptions): Promise<Page<AppRecord>>;
  updateApp(pid: string, patch: { name?: string | null }): Promise<AppRecord | null>;
  deleteApp(pid: string): Promise<boolean>;
  createOffer(offer: OfferRecord): Promise<OfferRecord>;
  getOffer(id: string): Promise<OfferRecord | null>;
  listOffers(options: ListOptions): Promise<Page<OfferRecord>>;
  updateOffer(id: string, patch: { name?: string | null }): Promise<OfferRecord | null>;
  deleteOffer(id: string): Promise<boolean>;

  // API secrets (only hashes are stored).
  createApiSecret(secret: ApiSecretRecord & { secretHash: string }): Promise<ApiSecretRecord>;
  listApiSecrets(options: ListOptions): Promise<Page<ApiSecretRecord>>;
  revokeApiSecret(id: string, now: number): Promise<ApiSecretRecord | null>;

  // Inbound sources.
  createSource(source: SourceRecord): Promise<SourceRecord>;
  getSource(slug: string): Promise<SourceRecord | null>;
  listSources(options: ListOptions): Promise<Page<SourceRecord>>;
  updateSource(slug: string, patch: SourcePatch, now: number): Promise<SourceRecord | null>;
  deleteSource(slug: string): Promise<boolean>;

  // Outbound destinations and their deliveries.
  createDestination(destination: DestinationRecord): Promise<DestinationRecord>;
  getDestination(id: string): Promise<DestinationRecord | null>;
  listDestinations(options: ListOptions): Promise<Page<DestinationRecord>>;
  updateDestination(id: string, patch: DestinationPatch, now: number): Promise<DestinationRecord | null>;
  /** 'has_deliveries' when it has a history: disable it instead. */
  deleteDestination(id: string): Promise<'deleted' | 'not_found' | 'has_deliveries'>;
  listDeliveriesOfEvent(eventId: string): Promise<DeliveryRecord[]>;
  getDelivery(id: string): Promise<DeliveryRecord | null>;
  /** Newest first, with what the history table shows of each event. */
  listDeliveries(filter: DeliveryFilter): Promise<Page<DeliveryRow>>;
  /**
   * Sends again: due now, with a fresh retry budget (attempt numbers start again; the history
   * keeps every earlier attempt). Deliveries being sent right now are left alone.
   */
  replayDeliveries(filter: Omit<DeliveryFilter, 'limit' | 'cursor'> & { ids?: string[] }, now: number): Promise<number>;
  listAttempts(deliveryId: string): Promise<AttemptRecord[]>;
  /** For metrics: deliveries by destination and state, and when the oldest due one became due. */
  deliveryStats(now: number): Promise<{ byState: Array<{ destinationId: string; state: DeliveryState; count: number }>; oldestDueAt: number | null; pausedDestinations: number }>;
  /**
   * Retention, in small batches (never a long lock): drops attempts and finished deliveries
   * older than `before`, and the raw request of older events. Ledger entries and events'
   * essential fields are never pruned. Returns how many rows it touched (0: nothing left).
   */
  prune(before: number, batch: number): Promise<number>;
  /**
   * Calls `listener` when deliveries may have become due: queued (PostgreSQL: by any process,
   * at commit, through LISTEN, and once listening, for what was queued before; SQLite: by this
   * one, as they are written), a destination resumed or deliveries replayed; returns the way to
   * stop.
   */
  onDeliveriesQueued(listener: () => void): () => void;
  /** Pauses by hand: deliveries are still queued, and wait for the resume. */
  pauseDestination(id: string, reason: string, now: number): Promise<DestinationRecord | null>;
  /** Clears a pause: the destination's waiting deliveries go out again. */
  resumeDestination(id: string, now: number): Promise<DestinationRecord | null>;
  /**
   * Leases up to `limit` due deliveries of enabled, unpaused destinations (and, unless
   * `expired` is false, those whose lease expired: their worker died) until `now + leaseMs`;
   * no two callers get the same one.
   */
  claimDueDeliveries(now: number, limit: number, leaseMs: number, options?: ClaimOptions): Promise<ClaimedDelivery[]>;
  /** Records finished attempts and what follows from each, in order, in one transaction. */
  completeAttempts(results: readonly AttemptResult[]): Promise<void>;

  // Events.
  listEvents(filter: EventFilter): Promise<Page<EventRecord>>;
  getEvent(id: string): Promise<EventRecord | null>;
  /**
   * Approves a held event (its credit and deliveries are written now) or rejects a reviewed
   * one (a reversal takes back what it credited). 'conflict': not in a state that allows it.
   */
  reviewEvent(id: string, decision: ReviewDecision, now: number): Promise<EventRecord | 'not_found' | 'conflict'>;

  // Tracking links and clicks.
  createLink(link: LinkRecord): Promise<LinkRecord>;
  getLink(id: string): Promise<LinkRecord | null>;
  listLinks(options: ListOptions & { offerId?: string; partner?: string }): Promise<Page<LinkRecord>>;
  updateLink(id: string, patch: LinkPatch, now: number): Promise<LinkRecord | null>;
  /** 'has_clicks' when it was used: disable it instead. */
  deleteLink(id: string): Promise<'deleted' | 'not_found' | 'has_clicks'>;
  /** Writes clicks handed out already, in one transaction. */
  recordClicks(clicks: readonly ClickRecord[]): Promise<void>;
  getClick(id: string): Promise<ClickRecord | null>;
  /** The user's latest click on a link of the offer since `since`: attribution without a click id (install referrers, `sub`). */
  latestClick(userId: string, offerId: string, since: number): Promise<ClickRecord | null>;
  countClicksFromIp(ip: string, from: number, to: number): Promise<number>;
  listClicks(filter: ClickFilter): Promise<Page<ClickRecord>>;
  /** Clicks, conversions, revenue and coins by offer, partner or UTC day, for [from, to). */
  report(from: number, to: number, by: ReportDimension): Promise<ReportRow[]>;

  // Settings (small JSON documents by key).
  getSetting(key: string): Promise<unknown>;
  putSetting(key: string, value: unknown, now: number): Promise<void>;
  /** Keeps `value` under `key` unless a value is there already; answers the value kept (first writer wins). */
  claimSetting(key: string, value: unknown, now: number): Promise<unknown>;
  /** Any one secret sealed with the SECRET_KEY (a source's or a destination's), or null if none is stored. */
  anySealedSecret(): Promise<string | null>;

  /** The dashboard's overview: events, coins, revenue and deliveries per time bucket. */
  stats(query: StatsQuery): Promise<HubStats>;
}
