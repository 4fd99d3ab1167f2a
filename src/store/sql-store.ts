import { CompiledQuery, sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import { toPgPlaceholders } from '../db/executor.js';
import { parseJson, type Database, type DeliveriesTable, type DestinationsTable } from '../db/schema.js';
import { DELIVERIES_CHANNEL } from '../features/conversions/record-event.js';
import { parkDeliveries, unparkDeliveries } from '../features/delivery/deliveries-sql.js';
import { clickFromRow, linkFromRow, attemptFromRow, deliveryFromRow, destinationFromRow, sourceFromRow, apiSecretFromRow, appFromRow, eventFromRow, ledgerEntryFromRow, offerFromRow, userFromRow } from './rows.js';
import type {
  ApiSecretRecord,
  AttemptRecord,
  AttemptResult,
  DeliveryFilter,
  DeliveryRecord,
  ClaimedDelivery,
  ClaimOptions,
  ClickFilter,
  ClickRecord,
  LinkPatch,
  LinkRecord,
  ReportDimension,
  ReportRow,
  ReviewDecision,
  DeliveryRow,
  DeliveryState,
  DestinationPatch,
  DestinationRecord,
  AppRecord,
  EventFilter,
  EventRecord,
  HubStats,
  ListOptions,
  NewEvent,
  OfferRecord,
  Page,
  RecordEventCommand,
  RecordEventResult,
  SourcePatch,
  SourceRecord,
  StatsQuery,
  Store,
  UserRecord,
} from './store.js';

/**
 * How an adapter writes. Every write goes through here so that SQLite can funnel all of them
 * into its single group-committing writer, while PostgreSQL runs them as ordinary transactions.
 */
export interface WriteChannel {
  /** Runs the statements in one transaction and returns each one's rows (RETURNING). */
  execute(queries: readonly CompiledQuery[]): Promise<unknown[][]>;
  recordEvent(command: RecordEventCommand): Promise<RecordEventResult>;
  recordEvents(commands: readonly RecordEventCommand[]): Promise<RecordEventResult[]>;
  recordRejection(event: NewEvent, reason: string, detail: string): Promise<void>;
  claimDueDeliveries(now: number, limit: number, leaseMs: number, options?: ClaimOptions): Promise<ClaimedDelivery[]>;
  completeAttempts(results: readonly AttemptResult[]): Promise<void>;
  reviewEvent(id: string, decision: ReviewDecision, now: number): Promise<EventRecord | 'not_found' | 'conflict'>;
  recordClicks(clicks: readonly ClickRecord[]): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface SqlStoreParts {
  /** Subscribes to other processes' queued deliveries, where the dialect can. */
  listen?: (listener: () => void) => () => void;
  dialect: Store['dialect'];
  /** Reads and query building. On SQLite a read-only connection on the main thread. */
  db: Kysely<Database>;
  writes: WriteChannel;
  /** Turns driver errors into StoreUnavailableError / UniqueViolationError. */
  mapError: (error: unknown) => unknown;
  /** Releases what `db` holds, after the writer has drained. */
  closeReads: () => Promise<void>;
}

const PARK_CHUNK = 5000;

/**
 * A destination's `updated_at` as a change sets it: `now`, or a millisecond past the last
 * change if that is not earlier. Workers in every process keep a destination they have read
 * until a claim shows its `updated_at` moved, so two changes in one millisecond, or one from
 * a process whose clock lags, must still move it.
 */
function forward(now: number) {
  return sql<number>`CASE WHEN updated_at < ${now} THEN ${now} ELSE updated_at + 1 END`;
}

/** The Store written once over Kysely; the adapters supply connections and the write channel. */
export class SqlStore implements Store {
  readonly dialect: Store['dialect'];
  private readonly db: Kysely<Database>;
  private readonly writes: WriteChannel;
  private readonly localListeners = new Set<() => void>();

  constructor(private readonly parts: SqlStoreParts) {
    this.dialect = parts.dialect;
    this.db = parts.db;
    this.writes = parts.writes;
  }

  ping(): Promise<void> {
    return this.writes.ping();
  }

  onDeliveriesQueued(listener: () => void): () => void {
    if (this.parts.listen !== undefined) return this.parts.listen(listener);
    this.localListeners.add(listener);
    return () => this.localListeners.delete(listener);
  }

  /**
   * Deliveries are being written in this process (SQLite): the listeners may claim at once, as
   * a claim queues behind the write in the writer thread. PostgreSQL's NOTIFY tells at commit
   * instead; a claim before it would find nothing.
   */
  private queuedInProcess(): void {
    if (this.parts.listen !== undefined) return;
    setImmediate(() => {
      for (const listener of this.localListeners) listener();
    });
  }

  /**
   * Deliveries became due outside recordEvent (a resume, a replay): told to workers at once,
   * with pg_notify where other processes listen, else to this process's listeners. Otherwise
   * they would wait for a worker's next poll. After the commit, as a hint: if it is lost, the
   * poll still finds them.
   */
  private async announce(): Promise<void> {
    if (this.parts.listen === undefined) {
      for (const listener of this.localListeners) listener();
      return;
    }
    try {
      await this.writes.execute([sql`SELECT pg_notify(${DELIVERIES_CHANNEL}, current_schema())`.compile(this.db)]);
    } catch {
      // a hint only
    }
  }

  async close(): Promise<void> {
    await this.writes.close();
    await this.parts.closeReads();
  }

  findActiveApiSecret(secretHash: string): Promise<{ id: string } | null> {
    return this.read(async () => {
      const row = await this.db
        .selectFrom('api_secrets')
        .select('id')
        .where('secret_hash', '=', secretHash)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return row ?? null;
    });
  }

  recordEvent(command: RecordEventCommand): Promise<RecordEventResult> {
    const recorded = this.writes.recordEvent(command);
    if ((command.deliveries?.length ?? 0) > 0) this.queuedInProcess();
    return recorded;
  }

  recordEvents(commands: readonly RecordEventCommand[]): Promise<RecordEventResult[]> {
    const recorded = this.writes.recordEvents(commands);
    if (commands.some((c) => (c.deliveries?.length ?? 0) > 0)) this.queuedInProcess();
    return recorded;
  }

  recordRejection(event: NewEvent, reason: string, detail: string): Promise<void> {
    return this.writes.recordRejection(event, reason, detail);
  }

  // Users and ledger.

  async createUser(user: Omit<UserRecord, 'coins' | 'updatedAt'>): Promise<UserRecord> {
    const query = this.db
      .insertInto('users')
      .values({ id: user.id, app_id: user.appId, device_id: user.deviceId, coins: 0, created_at: user.createdAt, updated_at: user.createdAt })
      .returningAll();
    return userFromRow(await this.writeOne(query.compile()));
  }

  getUser(id: string): Promise<UserRecord | null> {
    return this.read(async () => {
      const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : userFromRow(row);
    });
  }

  listUsers(options: ListOptions): Promise<Page<UserRecord>> {
    return this.page(this.db.selectFrom('users').selectAll(), 'id', 'asc', options, userFromRow);
  }

  async updateUser(id: string, patch: { appId?: string | null; deviceId?: string | null }, now: number): Promise<UserRecord | null> {
    const query = this.db
      .updateTable('users')
      .set({
        ...(patch.appId === undefined ? {} : { app_id: patch.appId }),
        ...(patch.deviceId === undefined ? {} : { device_id: patch.deviceId }),
        updated_at: now,
      })
      .where('id', '=', id)
      .returningAll();
    const row = await this.writeMaybe(query.compile());
    return row === undefined ? null : userFromRow(row);
  }

  async deleteUser(id: string): Promise<'deleted' | 'not_found' | 'has_ledger'> {
    const query = this.db
      .deleteFrom('users')
      .where('id', '=', id)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('ledger_entries').select('id').where('user_id', '=', id))))
      .returning('id');
    if ((await this.writeMaybe(query.compile())) !== undefined) return 'deleted';
    return (await this.getUser(id)) === null ? 'not_found' : 'has_ledger';
  }

  listLedger(userId: string, options: ListOptions) {
    return this.page(this.db.selectFrom('ledger_entries').selectAll().where('user_id', '=', userId), 'id', 'desc', options, ledgerEntryFromRow);
  }

  // Catalog.

  async createApp(app: AppRecord): Promise<AppRecord> {
    const query = this.db.insertInto('store_apps').values({ pid: app.pid, name: app.name, created_at: app.createdAt }).returningAll();
    return appFromRow(await this.writeOne(query.compile()));
  }

  getApp(pid: string): Promise<AppRecord | null> {
    return this.read(async () => {
      const row = await this.db.selectFrom('store_apps').selectAll().where('pid', '=', pid).executeTakeFirst();
      return row === undefined ? null : appFromRow(row);
    });
  }

  listApps(options: ListOptions): Promise<Page<AppRecord>> {
    return this.page(this.db.selectFrom('store_apps').selectAll(), 'pid', 'asc', options, appFromRow);
  }

  async updateApp(pid: string, patch: { name?: string | null }): Promise<AppRecord | null> {
    if (patch.name === undefined) return this.getApp(pid);
    const query = this.db.updateTable('store_apps').set({ name: patch.name }).where('pid', '=', pid).returningAll();
    const row = await this.writeMaybe(query.compile());
    return row === undefined ? null : appFromRow(row);
  }

  async deleteApp(pid: string): Promise<boolean> {
    const query = this.db.deleteFrom('store_apps').where('pid', '=', pid).returning('pid');
    return (await this.writeMaybe(query.compile())) !== undefined;
  }

  async createOffer(offer: OfferRecord): Promise<OfferRecord> {
    const query = this.db.insertInto('offers').values({ id: offer.id, name: offer.name, created_at: offer.createdAt }).returningAll();
    return offerFromRow(await this.writeOne(query.compile()));
  }

  getOffer(id: string): Promise<OfferRecord | null> {
    return this.read(async () => {
      const row = await this.db.selectFrom('offers').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : offerFromRow(row);
    });
  }

  listOffers(options: ListOptions): Promise<Page<OfferRecord>> {
    return this.page(this.db.selectFrom('offers').selectAll(), 'id', 'asc', options, offerFromRow);
  }

  async updateOffer(id: string, patch: { name?: string | null }): Promise<OfferRecord | null> {
    if (patch.name === undefined) return this.getOffer(id);
    const query = this.db.updateTable('offers').set({ name: patch.name }).where('id', '=', id).returningAll();
    const row = await this.writeMaybe(query.compile());
    return row === undefined ? null : offerFromRow(row);
  }

  async deleteOffer(id: string): Promise<boolean> {
    const query = this.db.deleteFrom('offers').where('id', '=', id).returning('id');
    return (await this.writeMaybe(query.compile())) !== undefined;
  }

  // API secrets.

  async createApiSecret(secret: ApiSecretRecord & { secretHash: string }): Promise<ApiSecretRecord> {
    const query = this.db
      .insertInto('api_secrets')
      .values({ id: secret.id, name: secret.name, secret_hash: secret.secretHash, prefix: secret.prefix, created_at: secret.createdAt, revoked_at: null })
      .returning(['id', 'name', 'prefix', 'created_at', 'revoked_at']);
    return apiSecretFromRow(await this.writeOne(query.compile()));
  }

  listApiSecrets(options: ListOptions): Promise<Page<ApiSecretRecord>> {
    return this.page(
      this.db.selectFrom('api_secrets').select(['id', 'name', 'prefix', 'created_at', 'revoked_at']),
      'id',
      'desc',
      options,
      apiSecretFromRow,
    );
  }

  async revokeApiSecret(id: string, now: number): Promise<ApiSecretRecord | null> {
    // Revoking twice keeps the first revocation time.
    const query = this.db
      .updateTable('api_secrets')
      .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.val(now)) }))
      .where('id', '=', id)
      .returning(['id', 'name', 'prefix', 'created_at', 'revoked_at']);
    const row = await this.writeMaybe(query.compile());
    return row === undefined ? null : apiSecretFromRow(row);
  }

  // Inbound sources.

  async createSource(source: SourceRecord): Promise<SourceRecord> {
    const query = this.db
      .insertInto('sources')
      .values({
        slug: source.slug,
        name: source.name,
        preset: source.preset,
        overrides: JSON.stringify(source.overrides),
        secret_ciphertext: source.secretCiphertext,
        enabled: source.enabled ? 1 : 0,
        created_at: source.createdAt,
        updated_at: source.updatedAt,
      })
      .returningAll();
    return sourceFromRow(await this.writeOne(query.compile()));
  }

  getSource(slug: string): Promise<SourceRecord | null> {
    return this.read(async () => {
      const row = await this.db.selectFrom('sources').selectAll().where('slug', '=', slug).executeTakeFirst();
      return row === undefined ? null : sourceFromRow(row);
    });
  }

  listSources(options: ListOptions): Promise<Page<SourceRecord>> {
    return this.page(this.db.selectFrom('sources').selectAll(), 'slug', 'asc', options, sourceFromRow);
  }

  async updateSource(slug: string, patch: SourcePatch, now: number): Promise<SourceRecord | null> {
    const query = this.db
      .updateTable('sources')
      .set({
        ...(patch.name === undefined ? {} : { name: patch.name }),
        ...(patch.preset === undefined ? {} : { preset: patch.preset }),
        ...(patch.overrides === undefined ? {} : { overrides: JSON.stringify(patch.overrides) }),
        ...(patch.secretCiphertext === undefined ? {} : { secret_ciphertext: patch.secretCiphertext }),
        ...(patch.enabled === undefined ? {} : { enabled: patch.enabled ? 1 : 0 }),
        updated_at: now,
      })
      .where('slug', '=', slug)
      .returningAll();
    const row = await this.writeMaybe(query.compile());
    return row === undefined ? null : sourceFromRow(row);
  }

  async deleteSource(slug: string): Promise<boolean> {
    const query = this.db.deleteFrom('sources').where('slug', '=', slug).returning('slug');
    return (await this.writeMaybe(query.compile())) !== undefined;
  }

  // Outbound destinations.

  async createDestination(destination: DestinationRecord): Promise<DestinationRecord> {
    const query = this.db
      .insertInto('destinations')
      .values({
        id: destination.id,
        name: destination.name,
        config: JSON.stringify(destination.config),
        secrets_ciphertext: destination.secretsCiphertext,
        enabled: destination.enabled ? 1 : 0,
        paused_at: destination.pausedAt,
        pause_reason: destination.pauseReason,
        consecutive_failures: destination.consecutiveFailures,
        created_at: destination.createdAt,
        updated_at: destination.updatedAt,
      })
      .returningAll();
    return destinationFromRow(await this.writeOne(query.compile()));
  }

  getDestination(id: string): Promise<DestinationRecord | null> {
    return this.read(async () => {
      const row = await this.db.selectFrom('destinations').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : destinationFromRow(row);
    });
  }

  listDestinations(options: ListOptions): Promise<Page<DestinationRecord>> {
    return this.page(this.db.selectFrom('destinations').selectAll(), 'id', 'asc', options, destinationFromRow);
  }

  async updateDestination(id: string, patch: DestinationPatch, now: number): Promise<DestinationRecord | null> {
    const query = this.db
      .updateTable('destinations')
      .set({
        ...(patch.name === undefined ? {} : { name: patch.name }),
        ...(patch.config === undefined ? {} : { config: JSON.stringify(patch.config) }),
        ...(patch.secretsCiphertext === undefined ? {} : { secrets_ciphertext: patch.secretsCiphertext }),
        ...(patch.enabled === undefined ? {} : { enabled: patch.enabled ? 1 : 0 }),
        updated_at: forward(now),
      })
      .where('id', '=', id)
      .returningAll();
    if (patch.enabled === true) return this.unholdDestination(id, now, 'enabled', query.compile());
    const row = await this.writeMaybe(query.compile());
    if (row === undefined) return null;
    if (patch.enabled === false) await this.parkAll(id);
    return destinationFromRow(row);
  }

  async deleteDestination(id: string): Promise<'deleted' | 'not_found' | 'has_deliveries'> {
    const query = this.db
      .deleteFrom('destinations')
      .where('id', '=', id)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('deliveries').select('id').where('destination_id', '=', id))))
      .returning('id');
    if ((await this.writeMaybe(query.compile())) !== undefined) return 'deleted';
    return (await this.getDestination(id)) === null ? 'not_found' : 'has_deliveries';
  }

  getDelivery(id: string): Promise<DeliveryRecord | null> {
    return this.read(async () => {
      const row = await this.db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : deliveryFromRow(row);
    });
  }

  listDeliveries(filter: DeliveryFilter): Promise<Page<DeliveryRow>> {
    let query = this.db
      .selectFrom('deliveries as d')
      .innerJoin('events as e', 'e.id', 'd.event_id')
      .selectAll('d')
      .select(['e.type as event_type', 'e.user_id as event_user_id', 'e.offer_id as event_offer_id', 'e.amount_micros as event_amount_micros', 'e.currency as event_currency', 'e.metadata as event_metadata']);
    if (filter.from !== undefined) query = query.where('d.created_at', '>=', filter.from);
    if (filter.to !== undefined) query = query.where('d.created_at', '<', filter.to);
    if (filter.destinationId !== undefined) query = query.where('d.destination_id', '=', filter.destinationId);
    if (filter.state !== undefined) query = query.where('d.state', '=', filter.state);
    if (filter.eventId !== undefined) query = query.where('d.event_id', '=', filter.eventId);
    return this.page(query as never, 'd.id', 'desc', filter, (row: Record<string, unknown>) => ({
      ...deliveryFromRow(row as unknown as DeliveriesTable),
      eventType: String(row.event_type),
      userId: (row.event_user_id as string | null) ?? null,
      offerId: (row.event_offer_id as string | null) ?? null,
      amountMicros: row.event_amount_micros === null ? null : Number(row.event_amount_micros),
      currency: (row.event_currency as string | null) ?? null,
      eventMetadata: parseJson<Record<string, unknown>>(row.event_metadata),
    }), 'id');
  }

  async replayDeliveries(filter: Omit<DeliveryFilter, 'limit' | 'cursor'> & { ids?: string[] }, now: number): Promise<number> {
    let query = this.db
      .updateTable('deliveries')
      .set({ state: 'pending', attempts: 0, next_attempt_at: now, lease_until: null, updated_at: now })
      .where('state', '<>', 'delivering');
    if (filter.ids !== undefined) query = query.where('id', 'in', filter.ids.length > 0 ? filter.ids : ['']);
    if (filter.from !== undefined) query = query.where('created_at', '>=', filter.from);
    if (filter.to !== undefined) query = query.where('created_at', '<', filter.to);
    if (filter.destinationId !== undefined) query = query.where('destination_id', '=', filter.destinationId);
    if (filter.state !== undefined) query = query.where('state', '=', filter.state);
    if (filter.eventId !== undefined) query = query.where('event_id', '=', filter.eventId);
    const [rows] = await this.writes.execute([query.returning('id').compile()]);
    if ((rows?.length ?? 0) > 0) await this.announce();
    return rows?.length ?? 0;
  }

  listAttempts(deliveryId: string): Promise<AttemptRecord[]> {
    return this.read(async () => {
      const rows = await this.db.selectFrom('delivery_attempts').selectAll().where('delivery_id', '=', deliveryId).orderBy('started_at').orderBy('id').execute();
      return rows.map(attemptFromRow);
    });
  }

  deliveryStats(now: number) {
    return this.read(async () => {
      const byState = await this.db
        .selectFrom('deliveries')
        .select(['destination_id', 'state', (eb) => eb.fn.countAll<number>().as('count')])
        .where('state', 'in', ['pending', 'delivering', 'failed'])
        .groupBy(['destination_id', 'state'])
        .execute();
      const oldest = await this.db
        .selectFrom('deliveries')
        .select((eb) => eb.fn.min('next_attempt_at').as('at'))
        .where('state', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .executeTakeFirst();
      const paused = await this.db
        .selectFrom('destinations')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('paused_at', 'is not', null)
        .executeTakeFirst();
      return {
        byState: byState.map((r) => ({ destinationId: r.destination_id, state: r.state as DeliveryState, count: Number(r.count) })),
        oldestDueAt: oldest?.at === null || oldest?.at === undefined ? null : Number(oldest.at),
        pausedDestinations: Number(paused?.count ?? 0),
      };
    });
  }

  async prune(before: number, batch: number): Promise<number> {
    const oldAttempts = this.db.selectFrom('delivery_attempts').select('id').where('started_at', '<', before).limit(batch);
    const finished = this.db
      .selectFrom('deliveries')
      .select('id')
      .where('state', 'in', ['succeeded', 'failed'])
      .where('updated_at', '<', before)
      .limit(batch);
    const oldRaw = this.db.selectFrom('events').select('id').where('received_at', '<', before).where('raw', 'is not', null).limit(batch);
    const results = await this.writes.execute([
      this.db.deleteFrom('delivery_attempts').where('id', 'in', oldAttempts).returning('id').compile(),
      // A finished delivery goes once its attempts have (attempts are older than their delivery's end).
      this.db
        .deleteFrom('deliveries')
        .where('id', 'in', finished)
        .where((eb) => eb.not(eb.exists(eb.selectFrom('delivery_attempts').select('id').whereRef('delivery_attempts.delivery_id', '=', 'deliveries.id'))))
        .returning('id')
        .compile(),
      this.db.updateTable('events').set({ raw: null }).where('id', 'in', oldRaw).returning('id').compile(),
    ]);
    return results.reduce((sum, rows) => sum + rows.length, 0);
  }

  async pauseDestination(id: string, reason: string, now: number): Promise<DestinationRecord | null> {
    const query = this.db
      .updateTable('destinations')
      .set((eb) => ({ paused_at: eb.fn.coalesce('paused_at', eb.val(now)), pause_reason: eb.fn.coalesce('pause_reason', eb.val(reason)), updated_at: forward(now) }))
      .where('id', '=', id)
      .returningAll();
    const row = await this.writeMaybe(query.compile());
    if (row === undefined) return null;
    await this.parkAll(id);
    return destinationFromRow(row);
  }

  async resumeDestination(id: string, now: number): Promise<DestinationRecord | null> {
    const query = this.db
      .updateTable('destinations')
      .set({ paused_at: null, pause_reason: null, consecutive_failures: 0, updated_at: forward(now) })
      .where('id', '=', id)
      .returningAll();
    return this.unholdDestination(id, now, 'resumed', query.compile());
  }

  claimDueDeliveries(now: number, limit: number, leaseMs: number, options?: ClaimOptions): Promise<ClaimedDelivery[]> {
    return this.writes.claimDueDeliveries(now, limit, leaseMs, options);
  }

  completeAttempts(results: readonly AttemptResult[]): Promise<void> {
    return this.writes.completeAttempts(results);
  }

  listDeliveriesOfEvent(eventId: string): Promise<DeliveryRecord[]> {
    return this.read(async () => {
      const rows = await this.db.selectFrom('deliveries').selectAll().where('event_id', '=', eventId).orderBy('id').execute();
      return rows.map(deliveryFromRow);
    });
  }

  // Events.

  listEvents(filter: EventFilter): Promise<Page<EventRecord>> {
    let query = this.db.selectFrom('events').selectAll();
    if (filter.from !== undefined) query = query.where('received_at', '>=', filter.from);
    if (filter.to !== undefined) query = query.where('received_at', '<', filter.to);
    if (filter.outcome !== undefined) query = query.where('outcome', '=', filter.outcome);
    if (filter.source !== undefined) query = query.where('source', '=', filter.source);
    if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
    if (filter.offerId !== undefined) query = query.where('offer_id', '=', filter.offerId);
    if (filter.partner !== undefined) query = query.where('partner', '=', filter.partner);
    if (filter.review !== undefined) query = query.where('review', '=', filter.review);
    return this.page(query, 'id', 'desc', filter, eventFromRow);
  }

  reviewEvent(id: string, decision: ReviewDecision, now: number): Promise<EventRecord | 'not_found' | 'conflict'> {
    const reviewed = this.writes.reviewEvent(id, decision, now);
    if (decision.approve && decision.deliveries.length > 0) this.queuedInProcess();
    return reviewed;
  }

  // Tracking links and clicks.

  async createLink(link: LinkRecord): Promise<LinkRecord> {
    const query = this.db
      .insertInto('links')
      .values({
        id: link.id,
        name: link.name,
        offer_id: link.offerId,
        partner: link.partner,
        config: JSON.stringify(link.config),
        enabled: link.enabled ? 1 : 0,
        created_at: link.createdAt,
        updated_at: link.updatedAt,
      })
      .returningAll();
    return linkFromRow(await this.writeOne(query.compile()));
  }

  getLink(id: string): Promise<LinkRecord | null> {
    return this.read(async () => {
      const row = await this.db.selectFrom('links').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : linkFromRow(row);
    });
  }

  listLinks(options: ListOptions & { offerId?: string; partner?: string }): Promise<Page<LinkRecord>> {
    let query = this.db.selectFrom('links').selectAll();
    if (options.offerId !== undefined) query = query.where('offer_id', '=', options.offerId);
    if (options.partner !== undefined) query = query.where('partner', '=', options.partner);
    return this.page(query, 'id', 'asc', options, linkFromRow);
  }

  async updateLink(id: string, patch: LinkPatch, now: number): Promise<LinkRecord | null> {
    const query = this.db
      .updateTable('links')
      .set({
        ...(patch.name === undefined ? {} : { name: patch.name }),
        ...(patch.partner === undefined ? {} : { partner: patch.partner }),
        ...(patch.config === undefined ? {} : { config: JSON.stringify(patch.config) }),
        ...(patch.enabled === undefined ? {} : { enabled: patch.enabled ? 1 : 0 }),
        updated_at: now,
      })
      .where('id', '=', id)
      .returningAll();
    const row = await this.writeMaybe(query.compile());
    return row === undefined ? null : linkFromRow(row);
  }

  async deleteLink(id: string): Promise<'deleted' | 'not_found' | 'has_clicks'> {
    const query = this.db
      .deleteFrom('links')
      .where('id', '=', id)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('clicks').select('id').where('link_id', '=', id))))
      .returning('id');
    if ((await this.writeMaybe(query.compile())) !== undefined) return 'deleted';
    return (await this.getLink(id)) === null ? 'not_found' : 'has_clicks';
  }

  recordClicks(clicks: readonly ClickRecord[]): Promise<void> {
    return this.writes.recordClicks(clicks);
  }

  getClick(id: string): Promise<ClickRecord | null> {
    return this.read(async () => {
      const row = await this.db.selectFrom('clicks').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : clickFromRow(row);
    });
  }

  latestClick(userId: string, offerId: string, since: number): Promise<ClickRecord | null> {
    return this.read(async () => {
      const row = await this.db
        .selectFrom('clicks')
        .selectAll()
        .where('user_id', '=', userId)
        .where('offer_id', '=', offerId)
        .where('created_at', '>=', since)
        .orderBy('created_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row === undefined ? null : clickFromRow(row);
    });
  }

  countClicksFromIp(ip: string, from: number, to: number): Promise<number> {
    return this.read(async () => {
      const row = await this.db
        .selectFrom('clicks')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('ip', '=', ip)
        .where('created_at', '>=', from)
        .where('created_at', '<=', to)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    });
  }

  listClicks(filter: ClickFilter): Promise<Page<ClickRecord>> {
    let query = this.db.selectFrom('clicks').selectAll();
    if (filter.from !== undefined) query = query.where('created_at', '>=', filter.from);
    if (filter.to !== undefined) query = query.where('created_at', '<', filter.to);
    if (filter.linkId !== undefined) query = query.where('link_id', '=', filter.linkId);
    if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
    return this.page(query, 'id', 'desc', filter, clickFromRow);
  }

  report(from: number, to: number, by: ReportDimension): Promise<ReportRow[]> {
    // Days are UTC days, numbered from the epoch: integer division works alike in both dialects.
    const key = (time: 'created_at' | 'received_at') => (by === 'offer' ? sql.ref('offer_id') : by === 'partner' ? sql.ref('partner') : sql`${sql.ref(time)} / 86400000`);
    return this.read(async () => {
      const clicks = await sql<{ key: string | number | null; n: number }>`
        SELECT ${key('created_at')} AS key, COUNT(*) AS n FROM clicks
        WHERE created_at >= ${from} AND created_at < ${to} GROUP BY 1`.execute(this.db);
      const conversions = await sql<{ key: string | number | null; n: number; attributed: number; coins: number }>`
        SELECT ${key('received_at')} AS key, COUNT(*) AS n, COUNT(link_id) AS attributed, COALESCE(SUM(coins), 0) AS coins FROM events
        WHERE received_at >= ${from} AND received_at < ${to} AND outcome = 'accepted' AND (review IS NULL OR review <> 'rejected')
        GROUP BY 1`.execute(this.db);
      const revenue = await sql<{ key: string | number | null; currency: string; whole: string; fraction: string }>`
        SELECT ${key('received_at')} AS key, currency, ${SUM_WHOLE} AS whole, ${SUM_FRACTION} AS fraction FROM events
        WHERE received_at >= ${from} AND received_at < ${to} AND outcome = 'accepted' AND (review IS NULL OR review <> 'rejected')
          AND amount_micros IS NOT NULL AND currency IS NOT NULL
        GROUP BY 1, 2`.execute(this.db);
      const rows = new Map<string | null, ReportRow>();
      const row = (raw: string | number | null): ReportRow => {
        const k = raw === null ? null : by === 'day' ? new Date(Number(raw) * 86_400_000).toISOString().slice(0, 10) : String(raw);
        let r = rows.get(k);
        if (r === undefined) rows.set(k, (r = { key: k, clicks: 0, conversions: 0, attributed: 0, revenueMicros: {}, coins: 0 }));
        return r;
      };
      for (const c of clicks.rows) row(c.key).clicks = Number(c.n);
      for (const c of conversions.rows) Object.assign(row(c.key), { conversions: Number(c.n), attributed: Number(c.attributed), coins: Number(c.coins) });
      for (const r of revenue.rows) row(r.key).revenueMicros[r.currency] = exactSum(r);
      return [...rows.values()].sort((a, b) => (a.key ?? '').localeCompare(b.key ?? ''));
    });
  }

  // Settings.

  getSetting(key: string): Promise<unknown> {
    return this.read(async () => {
      const row = await this.db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
      return row === undefined ? null : parseJson<unknown>(row.value);
    });
  }

  async putSetting(key: string, value: unknown, now: number): Promise<void> {
    const text = JSON.stringify(value);
    const query = this.db
      .insertInto('settings')
      .values({ key, value: text, updated_at: now })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: text, updated_at: now }));
    await this.writes.execute([query.compile()]);
  }

  async claimSetting(key: string, value: unknown, now: number): Promise<unknown> {
    const query = this.db
      .insertInto('settings')
      .values({ key, value: JSON.stringify(value), updated_at: now })
      .onConflict((oc) => oc.column('key').doNothing());
    await this.writes.execute([query.compile()]);
    return this.getSetting(key);
  }

  anySealedSecret(): Promise<string | null> {
    return this.read(async () => {
      const source = await this.db.selectFrom('sources').select('secret_ciphertext as sealed').where('secret_ciphertext', 'is not', null).limit(1).executeTakeFirst();
      if (source?.sealed != null) return source.sealed;
      const destination = await this.db.selectFrom('destinations').select('secrets_ciphertext as sealed').where('secrets_ciphertext', 'is not', null).limit(1).executeTakeFirst();
      return destination?.sealed ?? null;
    });
  }

  getEvent(id: string): Promise<EventRecord | null> {
    return this.read(async () => {
      const row = await this.db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : eventFromRow(row);
    });
  }

  stats(query: StatsQuery): Promise<HubStats> {
    const { from, to, bucketMs, now } = query;
    const count = Math.max(0, Math.ceil((to - from) / bucketMs));
    const buckets = Array.from({ length: count }, (_, i): HubStats['buckets'][number] => ({
      start: from + i * bucketMs,
      accepted: 0,
      duplicate: 0,
      rejected: 0,
      coinsCredited: 0,
      coinsReversed: 0,
      revenueMicros: {},
      deliveries: { pending: 0, delivering: 0, succeeded: 0, failed: 0 },
    }));
    // The bucket's index, a whole number on both dialects (SQLite binds JS numbers as REAL).
    const index = (column: 'received_at' | 'created_at') => sql<number>`CAST((${sql.ref(column)} - ${from}) / ${bucketMs} AS BIGINT)`;
    const at = (i: unknown) => buckets[Number(i)];
    return this.read(async () => {
      const events = await this.db
        .selectFrom('events')
        .select((eb) => [
          index('received_at').as('i'),
          'outcome',
          eb.fn.countAll<number>().as('count'),
          sql<number>`COALESCE(SUM(CASE WHEN coins > 0 THEN coins ELSE 0 END), 0)`.as('credited'),
          sql<number>`COALESCE(SUM(CASE WHEN coins < 0 THEN -coins ELSE 0 END), 0)`.as('reversed'),
        ])
        .where('received_at', '>=', from)
        .where('received_at', '<', to)
        .groupBy(['i', 'outcome'])
        .execute();
      for (const row of events) {
        const bucket = at(row.i);
        if (bucket === undefined) continue;
        const outcome = row.outcome as 'accepted' | 'duplicate' | 'rejected';
        if (outcome === 'accepted' || outcome === 'duplicate' || outcome === 'rejected') bucket[outcome] += Number(row.count);
        bucket.coinsCredited += Number(row.credited);
        bucket.coinsReversed += Number(row.reversed);
      }
      const revenue = await this.db
        .selectFrom('events')
        .select([index('received_at').as('i'), 'currency', SUM_WHOLE.as('whole'), SUM_FRACTION.as('fraction')])
        .where('received_at', '>=', from)
        .where('received_at', '<', to)
        .where('outcome', '=', 'accepted')
        .where('amount_micros', 'is not', null)
        .where('currency', 'is not', null)
        .groupBy(['i', 'currency'])
        .execute();
      for (const row of revenue) {
        const bucket = at(row.i);
        if (bucket === undefined || row.currency === null) continue;
        bucket.revenueMicros[row.currency] = (bucket.revenueMicros[row.currency] ?? 0n) + exactSum(row);
      }
      const deliveries = await this.db
        .selectFrom('deliveries')
        .select((eb) => [index('created_at').as('i'), 'state', eb.fn.countAll<number>().as('count')])
        .where('created_at', '>=', from)
        .where('created_at', '<', to)
        .groupBy(['i', 'state'])
        .execute();
      for (const row of deliveries) {
        const bucket = at(row.i);
        const state = row.state as DeliveryState;
        if (bucket !== undefined && state in bucket.deliveries) bucket.deliveries[state] += Number(row.count);
      }
      const backlogRows = await this.db
        .selectFrom('deliveries')
        .select(['state', (eb) => eb.fn.countAll<number>().as('count')])
        .where('state', 'in', ['pending', 'delivering', 'failed'])
        .groupBy('state')
        .execute();
      const backlog = { pending: 0, delivering: 0, failed: 0 };
      for (const row of backlogRows) {
        if (row.state === 'pending' || row.state === 'delivering' || row.state === 'failed') backlog[row.state] = Number(row.count);
      }
      const oldest = await this.db
        .selectFrom('deliveries')
        .select((eb) => eb.fn.min('next_attempt_at').as('at'))
        .where('state', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .executeTakeFirst();
      const paused = await this.db
        .selectFrom('destinations')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('paused_at', 'is not', null)
        .executeTakeFirst();
      return {
        buckets,
        backlog,
        oldestDueAt: oldest?.at === null || oldest?.at === undefined ? null : Number(oldest.at),
        pausedDestinations: Number(paused?.count ?? 0),
      };
    });
  }

  // Helpers.

  /** Keyset pagination on a unique column: stable under inserts, no OFFSET scans. */
  private page<T extends keyof Database, Row, Item>(
    query: SelectQueryBuilder<Database, T, Row>,
    key: string,
    direction: 'asc' | 'desc',
    options: ListOptions,
    toItem: (row: Row) => Item,
    /** The key's name in a result row, when the column is qualified (`d.id` → `id`). */
    rowKey: string = key,
  ): Promise<Page<Item>> {
    return this.read(async () => {
      // Kysely cannot type a column chosen at run time; `key` is always one of ours.
      const column = key as never;
      let q = query;
      if (options.cursor !== undefined) q = q.where(column, direction === 'asc' ? '>' : '<', options.cursor as never);
      const rows = await q.orderBy(column, direction).limit(options.limit + 1).execute();
      const more = rows.length > options.limit;
      const items = (more ? rows.slice(0, options.limit) : rows).map(toItem);
      const last = more ? (rows[options.limit - 1] as Record<string, unknown>) : undefined;
      return { items, nextCursor: last === undefined ? null : String(last[rowKey]) };
    });
  }

  private async read<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw this.parts.mapError(error);
    }
  }

  /**
   * Parking and unparking run in transactions of PARK_CHUNK: a backlog of a million must not
   * hold the write lock for seconds. The order makes a failure part way harmless: a pause is
   * committed before its deliveries are parked, and a resume (or enable) brings them back while
   * the destination is still held, then lifts the hold together with the last few. Claims
   * leave a held destination's deliveries alone, parked or not, so no state in between is
   * wrong; a resume that failed part way is finished by trying it again.
   */
  private async parkAll(destinationId: string): Promise<void> {
    while ((await this.writes.execute([this.raw(parkDeliveries(destinationId, PARK_CHUNK))]))[0]!.length >= PARK_CHUNK);
  }

  private async unholdDestination(id: string, now: number, once: 'resumed' | 'enabled', unhold: CompiledQuery): Promise<DestinationRecord | null> {
    while ((await this.writes.execute([this.raw(unparkDeliveries(id, now, PARK_CHUNK, once))]))[0]!.length >= PARK_CHUNK);
    // Those parked since, as the hold is lifted: one transaction.
    const [rows] = await this.writes.execute([unhold, this.raw(unparkDeliveries(id, now, Number.MAX_SAFE_INTEGER, 'now'))]);
    const row = rows?.[0] as DestinationsTable | undefined;
    if (row === undefined) return null;
    await this.announce();
    return destinationFromRow(row);
  }

  /** Hand-written SQL with `?` placeholders, as this dialect's driver takes it. */
  private raw(query: { sql: string; parameters: unknown[] }): CompiledQuery {
    return CompiledQuery.raw(this.dialect === 'postgres' ? toPgPlaceholders(query.sql) : query.sql, query.parameters);
  }

  private async writeMaybe<Row>(query: CompiledQuery<Row>): Promise<Row | undefined> {
    const [rows] = await this.writes.execute([query]);
    return rows?.[0] as Row | undefined;
  }

  private async writeOne<Row>(query: CompiledQuery<Row>): Promise<Row> {
    const row = await this.writeMaybe(query);
    if (row === undefined) throw new Error('write returned no row');
    return row;
  }
}

/**
 * A sum of amounts, exact at any size: whole units and micro-units summed apart (each as text),
 * so that neither a JavaScript number (2^53) nor SQLite's integer SUM (2^63, an error past it)
 * is ever what limits a report.
 */
const SUM_WHOLE = sql<string>`CAST(SUM(amount_micros / 1000000) AS TEXT)`;
const SUM_FRACTION = sql<string>`CAST(SUM(amount_micros % 1000000) AS TEXT)`;

function exactSum(row: { whole: string; fraction: string }): bigint {
  return BigInt(row.whole) * 1_000_000n + BigInt(row.fraction);
}
