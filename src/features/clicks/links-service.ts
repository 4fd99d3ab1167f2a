import { randomBytes } from 'node:crypto';
import { Compile } from 'typebox/compile';
import { linkConfigProblem, LinkConfigSchema, type LinkConfig } from './link-targets.js';
import { validationError } from '../../lib/validation.js';
import type { Clock } from '../../lib/clock.js';
import { ConflictError, NotFoundError, UniqueViolationError, ValidationError } from '../../lib/errors.js';
import type { LinkPatch, LinkRecord } from './clicks-types.js';
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

type LinkStore = Pick<ClicksDal, 'createLink' | 'getLink' | 'listLinks' | 'updateLink' | 'deleteLink'> & Pick<CatalogDal, 'getOffer' | 'getApp'>;

/** Tracking links: which offer, which partner's traffic, and where a click goes. */
export class LinkService {
  private readonly cache = new Map<string, { link: LoadedLink | null; until: number }>();
  private readonly offersWithLinks = new Map<string, { has: boolean; until: number }>();
  /** Changes made by this process, counted as they start and as they end: a read begun before one ended is not kept. */
  private writes = 0;

  constructor(
    private readonly store: LinkStore,
    private readonly clock: Clock,
    /**
     * How long the click path may use a loaded link before reading it again (by the hub's
     * clock): another process's change is seen within it, this process's at once.
     */
    private readonly cacheMs = 1000,
  ) {}

  async create(input: LinkInput): Promise<LinkRecord> {
    const id = input.id ?? randomBytes(6).toString('base64url');
    if (!LINK_ID.test(id)) throw new ValidationError('id', 'must be 1–64 letters, digits, "_" or "-"');
    const config = validate(input.config);
    if ((await this.store.getOffer(input.offerId)) === null) throw new ValidationError('offerId', `no offer "${input.offerId}": create it first`, 'unknown_offer');
    await this.checkApp(config);
    const now = this.clock.now();
    this.writes++;
    try {
      const link = await this.store.createLink({ id, name: input.name ?? null, offerId: input.offerId, partner: input.partner ?? null, config, enabled: input.enabled ?? true, createdAt: now, updatedAt: now });
      this.changed(id);
      return link;
    } catch (error) {
      if (error instanceof UniqueViolationError) throw new ConflictError(`A link "${id}" exists already`, 'id', 'link_exists');
      throw error;
    }
  }

  /** A Play Store link's `pid` must be a store app: the game reports levels with it, and seed 003 refuses an unknown one. */
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

  list(options: ListOptions & { offerId?: string; partner?: string }): Promise<Page<LinkRecord>> {
    return this.store.listLinks(options);
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
    this.writes++;
    const link = await this.store.updateLink(id, patch, this.clock.now());
    this.changed(id);
    if (link === null) throw new NotFoundError(`No link "${id}"`, 'id');
    return link;
  }

  async delete(id: string): Promise<void> {
    this.writes++;
    const outcome = await this.store.deleteLink(id);
    this.changed(id);
    if (outcome === 'not_found') throw new NotFoundError(`No link "${id}"`, 'id');
    if (outcome === 'has_clicks') throw new ConflictError(`Link "${id}" has clicks; disable it instead`, 'id', 'link_has_clicks');
  }

  /** A link changed here (or the change failed): in force at once, for the click path and for attribution. */
  private changed(id: string): void {
    this.writes++;
    this.cache.delete(id);
    // Which offer a link was of is not known here, and links are created and deleted seldom.
    this.offersWithLinks.clear();
  }

  /** The link if the cache holds it (null: known not to exist), undefined if it must be read. */
  cached(id: string): LoadedLink | null | undefined {
    const cached = this.cache.get(id);
    return cached !== undefined && cached.until > this.clock.now() ? cached.link : undefined;
  }

  /** The click path's read: cached for a second, so a burst of clicks costs one read. */
  async resolve(id: string): Promise<LoadedLink | null> {
    const now = this.clock.now();
    const cached = this.cache.get(id);
    if (cached !== undefined && cached.until > now) return cached.link;
    const writes = this.writes;
    const record = LINK_ID.test(id) ? await this.store.getLink(id) : null;
    const link = record === null ? null : { ...record, config: record.config as LinkConfig };
    if (writes === this.writes) {
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(id, { link, until: now + this.cacheMs });
    }
    return link;
  }

  /** Whether an offer has tracking links (attribution by user and offer needs one), cached like a link. */
  async offerHasLinks(offerId: string): Promise<boolean> {
    const now = this.clock.now();
    const cached = this.offersWithLinks.get(offerId);
    if (cached !== undefined && cached.until > now) return cached.has;
    const writes = this.writes;
    const has = (await this.store.listLinks({ limit: 1, offerId })).items.length > 0;
    if (writes === this.writes) {
      if (this.offersWithLinks.size > 10_000) this.offersWithLinks.clear();
      this.offersWithLinks.set(offerId, { has, until: now + this.cacheMs });
    }
    return has;
  }
}

function validate(input: Partial<LinkConfig>): LinkConfig {
  const config = { partnerClickIdParam: 'click_id', ...input };
  if (!configValidator.Check(config)) throw validationError(configValidator.Errors(config), { under: 'config' });
  const problem = linkConfigProblem(config);
  if (problem !== null) throw new ValidationError(problem.field, problem.message);
  return config;
}
