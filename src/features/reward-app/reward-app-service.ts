import type { Clock } from '../../lib/clock.js';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { newId, isUuid } from '../../lib/ids.js';
import type { UserRecord } from '../ledger/ledger-types.js';
import { userFromRow, type UsersDal } from '../ledger/users-dal.js';
import { describeEntry, type EntryStory } from '../ledger/reasons.js';
import type { HubDb } from '../procedures.js';
import { parsePosition, type FeedPosition } from './feed-sql.js';
import type { FeedEntry, RewardAppDal, TraceFilter } from './reward-app-dal.js';
import { buildTrace, median, type Trace } from './trace.js';

/** Whose view: an app key sees its own app's users only; the operator (null) sees everyone. */
export type Viewer = { appPid: string } | null;

export type ToldEntry = EntryStory & { reason: string };

/** The longest a feed request may wait for new entries. */
export const MAX_FEED_WAIT_SECONDS = 30;

/**
 * While a long-poll waits it also looks again this often: a notification from another process
 * can be missed across a reconnect, and on PostgreSQL an entry is served only once every
 * transaction before it has ended.
 */
const FEED_RECHECK_MS = 1000;

/**
 * The reward app's side of the hub: balances with the fractions carried, ledgers in plain words,
 * the credit feed (read, long-poll, acknowledge), "where is my reward?", and the operator's
 * manual adjustments.
 */
export class RewardAppService {
  private readonly waiters = new Set<() => void>();
  private stopped = false;

  constructor(
    private readonly deps: {
      db: HubDb;
      store: RewardAppDal;
      users: Pick<UsersDal, 'getUser'>;
      clock: Clock;
    },
  ) {}

  /** A user the viewer may see; 404 for another app's (its existence is not told). */
  async user(viewer: Viewer, id: string): Promise<UserRecord> {
    const normalised = isUuid(id) ? id.toLowerCase() : id;
    const user = await this.deps.users.getUser(normalised);
    if (user === null || (viewer !== null && user.appId !== viewer.appPid)) throw new NotFoundError(`No user with id "${id}"`, 'id');
    return user;
  }

  async balance(viewer: Viewer, id: string): Promise<{ user: UserRecord; carried: Array<{ source: string; sourceName: string | null; micros: number }> }> {
    const user = await this.user(viewer, id);
    return { user, carried: await this.deps.store.carried(user.id) };
  }

  async ledger(viewer: Viewer, id: string, options: { limit: number; cursor?: string }): Promise<{ items: ToldEntry[]; nextCursor: string | null }> {
    const user = await this.user(viewer, id);
    const found = await this.deps.store.ledger(user.id, options);
    return { items: found.items.map(told), nextCursor: found.nextCursor };
  }

  async trace(viewer: Viewer, id: string, filter: TraceFilter): Promise<Trace & { user: UserRecord }> {
    const user = await this.user(viewer, id);
    const events = await this.deps.store.traceEvents(user.id, filter);
    const clickIds = events.flatMap((e) => (e.clickId === null ? [] : [e.clickId]));
    // Clicks: on the offer asked about; for a transaction, those its postbacks came from.
    const clicks =
      filter.transactionId !== undefined && filter.offerId === undefined
        ? (await this.deps.store.traceClicks(user.id, null, clickIds)).filter((c) => clickIds.includes(c.id))
        : await this.deps.store.traceClicks(user.id, filter.offerId ?? null, clickIds);
    const unfiltered = filter.offerId === undefined && filter.transactionId === undefined && filter.source === undefined;
    const entries = await this.deps.store.traceEntries(user.id, events.map((e) => e.id), unfiltered);
    const offerId = filter.offerId ?? clicks.at(-1)?.offerId ?? events.at(-1)?.offerId ?? null;
    const typicalDelayMs = offerId === null ? null : median(await this.deps.store.clickToPostbackTimes(offerId));
    const scope =
      filter.transactionId !== undefined ? `transaction "${filter.transactionId}"` : filter.offerId !== undefined ? `offer "${filter.offerId}"` : filter.source !== undefined ? `source "${filter.source}"` : 'this user';
    return { user, ...buildTrace({ clicks, events, entries, typicalDelayMs, scope }) };
  }

  /**
   * The app's unacknowledged entries after `cursor` (from the oldest without one), in order.
   * With `waitSeconds`, an empty answer waits up to that long for an entry to arrive.
   */
  async feed(viewer: { appPid: string }, options: { cursor?: string; limit: number; waitSeconds?: number; signal?: AbortSignal }): Promise<{ items: Array<FeedEntry & { reason: string }>; nextCursor: string | null }> {
    const after = options.cursor === undefined ? null : position(options.cursor);
    const wait = Math.min(options.waitSeconds ?? 0, MAX_FEED_WAIT_SECONDS) * 1000;
    const deadline = performance.now() + wait;
    for (;;) {
      const items = await this.deps.store.feed(viewer.appPid, after, options.limit);
      const left = deadline - performance.now();
      if (items.length > 0 || left <= 0 || options.signal?.aborted === true || this.stopped) {
        return { items: items.map((item) => ({ ...item, reason: describeEntry(item) })), nextCursor: items.at(-1)?.position ?? options.cursor ?? null };
      }
      await this.nextEntries(Math.min(left, FEED_RECHECK_MS), options.signal);
    }
  }

  /** Acknowledges entries by id, or every entry up to a cursor the app was given. */
  async ack(viewer: { appPid: string }, input: { ids?: readonly string[]; upTo?: string }): Promise<{ acknowledged: number; already: number; unknown: string[] }> {
    if ((input.ids === undefined) === (input.upTo === undefined)) throw new ValidationError('body', 'must have either ids or upTo');
    const at = this.deps.clock.now();
    if (input.upTo !== undefined) return this.deps.db.run('ackFeed', { appPid: viewer.appPid, at, upTo: position(input.upTo, 'upTo') });
    return this.deps.db.run('ackFeed', { appPid: viewer.appPid, at, ids: input.ids! });
  }

  /** An operator's credit (positive) or debit (negative) with its reason. */
  async adjust(id: string, input: { coins: number; reason: string }): Promise<{ user: UserRecord; entryId: string }> {
    const user = await this.user(null, id);
    if (input.coins === 0) throw new ValidationError('coins', 'must not be 0');
    const entryId = newId();
    const result = await this.deps.db.run('adjustBalance', { userId: user.id, ledgerEntryId: entryId, coins: input.coins, note: input.reason, at: this.deps.clock.now() });
    if (result === 'not_found') throw new NotFoundError(`No user with id "${id}"`, 'id');
    if (result === 'insufficient') throw new ConflictError(`A debit of ${-input.coins} coins would take the balance of ${user.coins} below zero`, 'coins', 'insufficient_balance');
    return { user: userFromRow(result), entryId };
  }

  /** Long-polls of the credit feed waiting now. */
  get waiting(): number {
    return this.waiters.size;
  }

  /** The hub is closing: waiting long-polls answer now (with what there is), none waits again. */
  stop(): void {
    this.stopped = true;
    this.wake();
  }

  /** Entries were added to a feed (this process or another): every waiting long-poll looks. */
  wake(): void {
    for (const resolve of [...this.waiters]) resolve();
  }

  private nextEntries(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
      signal?.addEventListener('abort', done);
    });
  }
}

function told(entry: EntryStory): ToldEntry {
  return { ...entry, reason: describeEntry(entry) };
}

function position(text: string, field = 'cursor'): FeedPosition {
  const parsed = parsePosition(text);
  if (parsed === null) throw new ValidationError(field, 'is not a feed position this hub gave out (e.g. "0-42")');
  return parsed;
}
