import { randomBytes } from 'node:crypto';
import { Compile } from 'typebox/compile';
import { linkConfigProblem, LinkConfigSchema, type LinkConfig } from './link-targets.js';
import { validationError } from '../../lib/validation.js';
import type { Clock } from '../../lib/clock.js';
import { TtlCache } from '../../lib/ttl-cache.js';
import { ConflictError, NotFoundError, UniqueViolationError, ValidationError } from '../../lib/errors.js';
import type { ClickFilter, ClickRecord, LinkCounts, LinkPatch, LinkRecord } from './clicks-types.js';
import type { ListOptions, Page } from '../../db/paging.js';
import type { ClicksDal } from './clicks-dal.js';
import type { CatalogDal } from '../catalog/catalog-dal.js';

const configValidator = Compile(LinkConfigSchema);
const LINK_ID = /^[A-Za-z0-9_-]{1,64}$/;

export interface LinkInput {
  /** Omitted: a short random id. It is the path of the link: /c/ID. */
  id?: string;
  name?: string | null;
  offerId: string;
  partner?: string | null;
  config: Partial<LinkConfig>;
  enabled?: boolean;
}

export type LinkPatchInput = Partial<Pick<LinkInput, 'name' | 'partner' | 'config' | 'enabled'>>;

/** A link ready for the click path: its config parsed. */
export interface LoadedLink extends Omit<LinkRecord, 'config'> {
  config: LinkConfig;
}

type LinkStore = Pick<ClicksDal, 'createLink' | 'getLink' | 'listLinks' | 'linkCounts' | 'updateLink' | 'deleteLink' | 'listClicks'> & Pick<CatalogDal, 'getOffer' | 'getApp'>;

/** Tracking links: which offer, which partner's traffic, and where a click goes. */
export class LinkService {
  /** Per link id; null: known not to exist. */
  private readonly links: TtlCache<string, LoadedLink | null>;
  private readonly offersWithLinks: TtlCache<string, boolean>;
  private settleClicks: () => Promise<void> = () => Promise.resolve();

  constructor(
    private readonly store: LinkStore,
    private readonly clock: Clock,
    /**
     * How long the click path may use a loaded link before reading it again (by the hub's
     * clock): another process's change is seen within it, this process's at once.
     */
    cacheMs = 1000,
  ) {
    this.links = new TtlCache(clock, cacheMs);
    this.offersWithLinks = new TtlCache(clock, cacheMs);
  }

  async create(input: LinkInput): Promise<LinkRecord> {
    const id = input.id ?? randomBytes(6).toString('base64url');
    if (!LINK_ID.test(id)) throw new ValidationError('id', 'must be 1–64 letters, digits, "_" or "-"');
    const config = validate(input.config);
    if ((await this.store.getOffer(input.offerId)) === null) throw new ValidationError('offerId', `no offer "${input.offerId}": create it first`, 'unknown_offer');
    await this.checkApp(config);
    const now = this.clock.now();
    try {
      return await this.write(id, () =>
        this.store.createLink({ id, name: input.name ?? null, offerId: input.offerId, partner: input.partner ?? null, config, enabled: input.enabled ?? true, createdAt: now, updatedAt: now }),
      );
    } catch (error) {
      if (error instanceof UniqueViolationError) throw new ConflictError(`A link "${id}" exists already`, 'id', 'link_exists');
      throw error;
    }
  }

  /** A Play Store link's `pid` must be a store app: the game reports levels with it, and the partner postback API refuses an unknown one. */
  private async checkApp(config: LinkConfig): Promise<void> {
    const pid = config.playStore?.pid;
    if (pid !== undefined && (await this.store.getApp(pid)) === null) {
      throw new ValidationError('config.playStore.pid', `no store app "${pid}": create it first`, 'unknown_app');
    }
  }

  async get(id: string): Promise<LinkRecord> {
    const link = await this.store.getLink(id);
    if (link === null) throw new NotFoundError(`No link "${id}"`, 'id');
    return link;
  }

  /** A page of links, each with its clicks and conversions so far (one more read for the page). */
  async list(options: ListOptions & { offerId?: string; partner?: string }): Promise<Page<LinkRecord & LinkCounts>> {
    const page = await this.store.listLinks(options);
    const counts = await this.store.linkCounts(page.items.map((l) => l.id));
    return { items: page.items.map((l) => ({ ...l, ...(counts.get(l.id) ?? { clicks: 0, conversions: 0 }) })), nextCursor: page.nextCursor };
  }

  /** The click log, newest first. */
  clicks(filter: ClickFilter): Promise<Page<ClickRecord>> {
    return this.store.listClicks(filter);
  }

  async update(id: string, input: LinkPatchInput): Promise<LinkRecord> {
    const patch: LinkPatch = {};
    if (input.name !== undefined) patch.name = input.name;
    if (input.partner !== undefined) patch.partner = input.partner;
    if (input.enabled !== undefined) patch.enabled = input.enabled;
    if (input.config !== undefined) {
      const config = validate(input.config);
      await this.checkApp(config);
      patch.config = config;
    }
    const link = await this.write(id, () => this.store.updateLink(id, patch, this.clock.now()));
    if (link === null) throw new NotFoundError(`No link "${id}"`, 'id');
    return link;
  }

  /**
   * The click log writes behind the redirect: a deletion first waits for the clicks this
   * process has handed out, so that a link with clicks is never deleted.
   */
  settleClicksWith(settle: () => Promise<void>): void {
    this.settleClicks = settle;
  }

  async delete(id: string): Promise<void> {
    await this.settleClicks();
    const outcome = await this.write(id, () => this.store.deleteLink(id));
    if (outcome === 'not_found') throw new NotFoundError(`No link "${id}"`, 'id');
    if (outcome === 'has_clicks') throw new ConflictError(`Link "${id}" has clicks; disable it instead`, 'id', 'link_has_clicks');
  }

  /**
   * A change to a link, in force at once for the click path and for attribution once it ends
   * (failed too: it may have committed): a read that raced it is not kept.
   */
  private async write<T>(id: string, change: () => Promise<T>): Promise<T> {
    try {
      return await change();
    } finally {
      this.links.delete(id);
      // Which offer a link was of is not known here, and links are created and deleted seldom.
      this.offersWithLinks.clear();
    }
  }

  /** The link if the cache holds it (null: known not to exist), undefined if it must be read. */
  cached(id: string): LoadedLink | null | undefined {
    return this.links.get(id);
  }

  /** The click path's read: cached for a second, so a burst of clicks costs one read. */
  resolve(id: string): Promise<LoadedLink | null> {
    return this.links.getOrLoad(id, async () => {
      const record = LINK_ID.test(id) ? await this.store.getLink(id) : null;
      return record === null ? null : { ...record, config: record.config as LinkConfig };
    });
  }

  /** Whether an offer has tracking links (attribution by user and offer needs one), cached like a link. */
  offerHasLinks(offerId: string): Promise<boolean> {
    return this.offersWithLinks.getOrLoad(offerId, async () => (await this.store.listLinks({ limit: 1, offerId })).items.length > 0);
  }
}

function validate(input: Partial<LinkConfig>): LinkConfig {
  const config = { partnerClickIdParam: 'click_id', ...input };
  if (!configValidator.Check(config)) throw validationError(configValidator.Errors(config), { under: 'config' });
  const problem = linkConfigProblem(config);
  if (problem !== null) throw new ValidationError(problem.field, problem.message);
  return config;
}
