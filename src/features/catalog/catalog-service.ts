import type { Clock } from '../../lib/clock.js';
import { ConflictError, NotFoundError, UniqueViolationError } from '../../lib/errors.js';
import type { AppRecord, OfferRecord } from './catalog-types.js';
import type { ListOptions, Page } from '../../db/paging.js';
import type { CatalogDal } from './catalog-dal.js';

type CatalogStore = Pick<CatalogDal, 'createApp' | 'getApp' | 'listApps' | 'updateApp' | 'deleteApp' | 'createOffer' | 'getOffer' | 'listOffers' | 'updateOffer' | 'deleteOffer'>;

/** The registered store apps (`store_apps.pid`) and the reward games / offers catalog. */
export class CatalogService {
  constructor(
    private readonly store: CatalogStore,
    private readonly clock: Clock,
  ) {}

  async createApp(input: { pid: string; name?: string | null }): Promise<AppRecord> {
    try {
      return await this.store.createApp({ pid: input.pid, name: input.name ?? null, createdAt: this.clock.now() });
    } catch (error) {
      throw conflict(error, `A store app with pid "${input.pid}" already exists`, 'pid');
    }
  }

  async getApp(pid: string): Promise<AppRecord> {
    return found(await this.store.getApp(pid), `No store app with pid "${pid}"`, 'pid');
  }

  listApps(options: ListOptions): Promise<Page<AppRecord>> {
    return this.store.listApps(options);
  }

  async updateApp(pid: string, patch: { name?: string | null }): Promise<AppRecord> {
    return found(await this.store.updateApp(pid, patch), `No store app with pid "${pid}"`, 'pid');
  }

  async deleteApp(pid: string): Promise<void> {
    if (!(await this.store.deleteApp(pid))) throw new NotFoundError(`No store app with pid "${pid}"`, 'pid');
  }

  async createOffer(input: { id: string; name?: string | null }): Promise<OfferRecord> {
    try {
      return await this.store.createOffer({ id: input.id, name: input.name ?? null, createdAt: this.clock.now() });
    } catch (error) {
      throw conflict(error, `An offer with id "${input.id}" already exists`, 'id');
    }
  }

  async getOffer(id: string): Promise<OfferRecord> {
    return found(await this.store.getOffer(id), `No offer with id "${id}"`, 'id');
  }

  listOffers(options: ListOptions): Promise<Page<OfferRecord>> {
    return this.store.listOffers(options);
  }

  async updateOffer(id: string, patch: { name?: string | null }): Promise<OfferRecord> {
    return found(await this.store.updateOffer(id, patch), `No offer with id "${id}"`, 'id');
  }

  async deleteOffer(id: string): Promise<void> {
    if (!(await this.store.deleteOffer(id))) throw new NotFoundError(`No offer with id "${id}"`, 'id');
  }
}

function found<T>(value: T | null, message: string, field: string): T {
  if (value === null) throw new NotFoundError(message, field);
  return value;
}

function conflict(error: unknown, message: string, field: string): unknown {
  return error instanceof UniqueViolationError ? new ConflictError(message, field) : error;
}
