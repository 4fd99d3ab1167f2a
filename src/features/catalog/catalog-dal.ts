import type { OffersTable, StoreAppsTable } from '../../db/schema.js';
import type { AppRecord, OfferRecord } from './catalog-types.js';
import type { HubDb } from '../procedures.js';
import { crud } from '../../db/crud.js';
import type { ListOptions } from '../../db/paging.js';
export function appFromRow(row: StoreAppsTable): AppRecord {
  return { pid: row.pid, name: row.name, createdAt: Number(row.created_at) };
}

export function offerFromRow(row: OffersTable): OfferRecord {
  return { id: row.id, name: row.name, createdAt: Number(row.created_at) };
}

/** The registered store apps and the offers (games) catalog. */
export function catalogDal(db: HubDb) {
  const apps = crud(db, { table: 'store_apps', key: 'pid', order: 'asc', fromRow: appFromRow });
  const offers = crud(db, { table: 'offers', key: 'id', order: 'asc', fromRow: offerFromRow });
  return {
    createApp: (app: AppRecord) => apps.insert({ pid: app.pid, name: app.name, created_at: app.createdAt }),
    getApp: (pid: string) => apps.get(pid),
    listApps: (options: ListOptions) => apps.list(options),
    updateApp: async (pid: string, patch: { name?: string | null }) => (patch.name === undefined ? apps.get(pid) : apps.update(pid, { name: patch.name })),
    deleteApp: async (pid: string) => (await apps.remove(pid)) === 'deleted',
    createOffer: (offer: OfferRecord) => offers.insert({ id: offer.id, name: offer.name, created_at: offer.createdAt }),
    getOffer: (id: string) => offers.get(id),
    listOffers: (options: ListOptions) => offers.list(options),
    updateOffer: async (id: string, patch: { name?: string | null }) => (patch.name === undefined ? offers.get(id) : offers.update(id, { name: patch.name })),
    deleteOffer: async (id: string) => (await offers.remove(id)) === 'deleted',
  };
}

export type CatalogDal = ReturnType<typeof catalogDal>;
