import { randomFillSync } from 'node:crypto';
import { clickUser, redirectTarget } from './link-targets.js';
import { GroupCommit } from '../../lib/group-commit.js';
import type { Clock } from '../../lib/clock.js';
import type { LinkService, LoadedLink } from './links-service.js';
import type { ClickRecord } from './clicks-types.js';
import type { ClicksDal } from './clicks-dal.js';

const MAX_WRITE_ATTEMPTS = 5;
const CLICK_BATCH_DELAY_MS = 10;

export type ClickOutcome = { kind: 'redirect'; location: string; clickId: string } | { kind: 'not_found' } | { kind: 'invalid'; field: string; message: string };

/**
 * A click id: unguessable (96 random bits) and time-ordered (a base-36 millisecond prefix),
 * so that the clicks index grows at its end like the hub's UUIDv7 keys.
 */
export function newClickId(now: number): string {
  // One call into the random source per 256 ids rather than one per click: that call costs more
  // than everything else an id needs (docs/performance.md has the paired measurement).
  if (randomOffset + 12 > randomPool.length) {
    randomFillSync(randomPool);
    randomOffset = 0;
  }
  const random = randomPool.toString('base64url', randomOffset, randomOffset + 12);
  randomOffset += 12;
  return `${now.toString(36)}${random}`;
}

const randomPool = Buffer.alloc(12 * 256);
let randomOffset = randomPool.length;

/**
 * Clicks: answered at once, recorded behind the redirect, in batches (up to 10 ms of clicks,
 * and whatever arrives while the previous batch commits). `drain` writes what is waiting, so
 * a clean shutdown loses none of the ids handed out.
 */
export class ClickService {
  private readonly batcher: GroupCommit<ClickRecord>;
  /** Clicks waiting to be tried again after a failed write. */
  private retrying = 0;

  constructor(
    private readonly links: Pick<LinkService, 'resolve' | 'cached'> & Partial<Pick<LinkService, 'settleClicksWith'>>,
    store: Pick<ClicksDal, 'recordClicks'>,
    private readonly clock: Clock,
    private readonly onWriteFailed: (error: unknown, click: ClickRecord) => void = () => {},
  ) {
    // Nobody waits for a click's write (the redirect went out before it), so clicks wait up to
    // 10 ms for company: fewer, larger transactions. A conversion looking for its click, and a
    // shutdown, and a link's deletion end the wait (drain).
    this.batcher = new GroupCommit((clicks) => store.recordClicks(clicks), { maxBatch: 1000, delayMs: CLICK_BATCH_DELAY_MS });
    links.settleClicksWith?.(() => this.drain());
  }

  /**
   * Answered at once when the link is cached (the common case in a burst): no promise per
   * click. Whatever goes wrong arrives as a thrown error or a rejection.
   */
  click(linkId: string, query: Record<string, string>, ip: string, userAgent: string | null): ClickOutcome | Promise<ClickOutcome> {
    const cached = this.links.cached(linkId);
    if (cached !== undefined) return this.clickOn(cached, query, ip, userAgent);
    return this.links.resolve(linkId).then((link) => this.clickOn(link, query, ip, userAgent));
  }

  private clickOn(link: LoadedLink | null, query: Record<string, string>, ip: string, userAgent: string | null): ClickOutcome {
    if (link === null || !link.enabled) return { kind: 'not_found' };
    const now = this.clock.now();
    const userId = clickUser(query);
    const partnerClickId = query[link.config.partnerClickIdParam] || null;
    const click: ClickRecord = {
      id: newClickId(now),
      linkId: link.id,
      offerId: link.offerId,
      partner: link.partner,
      userId,
      partnerClickId,
      ip,
      userAgent: userAgent?.slice(0, 512) ?? null,
      query,
      createdAt: now,
    };
    const target = redirectTarget(link.config, { clickId: click.id, linkId: link.id, offerId: link.offerId, partner: link.partner, userId, partnerClickId, query });
    if (!target.ok) return { kind: 'invalid', field: target.field, message: target.message };
    this.record(click, 1);
    return { kind: 'redirect', location: target.url, clickId: click.id };
  }

  /** Writes every click handed out so far (retries included). */
  async drain(): Promise<void> {
    while (this.retrying > 0 || this.batcher.busy) {
      await this.batcher.idle();
      if (this.retrying > 0) await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The store may be briefly away (a PostgreSQL restart): a click is tried a few times more. */
  private record(click: ClickRecord, attempt: number): void {
    this.batcher.push(click, undefined, (error: unknown) => {
      if (attempt >= MAX_WRITE_ATTEMPTS) {
        this.onWriteFailed(error, click);
        return;
      }
      this.retrying++;
      setTimeout(() => {
        this.retrying--;
        this.record(click, attempt + 1);
      }, 250 * attempt);
    });
  }
}
