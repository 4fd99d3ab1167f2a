import type { Clock } from '../../lib/clock.js';
import { csvLine } from '../../lib/csv.js';
import { newId } from '../../lib/ids.js';
import { parseJson, type AuditLogTable } from '../../db/schema.js';
import { everyItem, page, type ListOptions, type Page } from '../../db/paging.js';
import type { HubDb } from '../procedures.js';
import { changesBetween, type Changes } from './changes.js';

export interface AuditEntry {
  id: string;
  at: number;
  /** Who made it: today the admin token ("admin token"). */
  actor: string;
  address: string | null;
  method: string;
  /** The route as declared, e.g. `/destinations/:id/pause`. */
  route: string;
  /** The resource's kind (`destinations`, `sources`, `fraud-policy`, …) and id. */
  resource: string;
  resourceId: string | null;
  status: number;
  changes: Changes;
}

export interface AuditFilter extends ListOptions {
  actor?: string;
  resource?: string;
  resourceId?: string;
  from?: number;
  to?: number;
}

function entryFromRow(row: AuditLogTable): AuditEntry {
  return {
    id: row.id,
    at: Number(row.at),
    actor: row.actor,
    address: row.address,
    method: row.method,
    route: row.route,
    resource: row.resource,
    resourceId: row.resource_id,
    status: Number(row.status),
    changes: parseJson<Changes>(row.changes),
  };
}

export function auditDal(db: HubDb) {
  return {
    async append(entry: AuditEntry): Promise<void> {
      await db.execute([
        db.kysely
          .insertInto('audit_log')
          .values({
            id: entry.id,
            at: entry.at,
            actor: entry.actor,
            address: entry.address,
            method: entry.method,
            route: entry.route,
            resource: entry.resource,
            resource_id: entry.resourceId,
            status: entry.status,
            changes: JSON.stringify(entry.changes),
          })
          .compile(),
      ]);
    },
    list(filter: AuditFilter): Promise<Page<AuditEntry>> {
      let query = db.kysely.selectFrom('audit_log').selectAll();
      if (filter.actor !== undefined) query = query.where('actor', '=', filter.actor);
      if (filter.resource !== undefined) query = query.where('resource', '=', filter.resource);
      if (filter.resourceId !== undefined) query = query.where('resource_id', '=', filter.resourceId);
      if (filter.from !== undefined) query = query.where('at', '>=', filter.from);
      if (filter.to !== undefined) query = query.where('at', '<', filter.to);
      return db.read(() => page(query, 'id', 'desc', filter, entryFromRow));
    },
  };
}

export type AuditDal = ReturnType<typeof auditDal>;

/** The audit log: every change made through the admin API, appended as it is answered. */
export class AuditService {
  constructor(
    private readonly store: AuditDal,
    private readonly clock: Clock,
  ) {}

  record(change: { actor: string; address: string | null; method: string; route: string; resource: string; resourceId: string | null; status: number; before: unknown; after: unknown }): Promise<void> {
    const { before, after, ...rest } = change;
    return this.store.append({ id: newId(), at: this.clock.now(), ...rest, changes: changesBetween(before, after) });
  }

  list(filter: AuditFilter): Promise<Page<AuditEntry>> {
    return this.store.list(filter);
  }

  /** Every entry the filter matches, newest first, as CSV rows (a page at a time). */
  async *csv(filter: Omit<AuditFilter, 'limit' | 'cursor'>): AsyncGenerator<string> {
    yield csvLine(['time', 'actor', 'address', 'method', 'route', 'resource', 'resource id', 'status', 'changes']);
    for await (const e of everyItem((options) => this.store.list({ ...filter, ...options }))) {
      yield csvLine([new Date(e.at).toISOString(), e.actor, e.address, e.method, e.route, e.resource, e.resourceId, e.status, JSON.stringify(e.changes)]);
    }
  }
}
