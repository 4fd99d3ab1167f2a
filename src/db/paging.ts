import type { SelectQueryBuilder } from 'kysely';
import type { Tables } from './schema.js';

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface ListOptions {
  limit: number;
  cursor?: string;
}

/**
 * Keyset pagination on a unique column: stable under inserts, no OFFSET scans. `rowKey` is the
 * key's name in a result row when the column is qualified (`d.id` → `id`).
 */
export async function page<T extends keyof Tables, Row, Item>(
  query: SelectQueryBuilder<Tables, T, Row>,
  key: string,
  direction: 'asc' | 'desc',
  options: ListOptions,
  toItem: (row: Row) => Item,
  rowKey: string = key,
): Promise<Page<Item>> {
  // Kysely cannot type a column chosen at run time; `key` is always one of ours.
  const column = key as never;
  let q = query;
  if (options.cursor !== undefined) q = q.where(column, direction === 'asc' ? '>' : '<', options.cursor as never);
  const rows = await q.orderBy(column, direction).limit(options.limit + 1).execute();
  const more = rows.length > options.limit;
  const items = (more ? rows.slice(0, options.limit) : rows).map(toItem);
  const last = more ? (rows[options.limit - 1] as Record<string, unknown>) : undefined;
  return { items, nextCursor: last === undefined ? null : String(last[rowKey]) };
}

/** Every item of a keyset-paginated list, read `limit` at a time (a cache's load, an export). */
export async function* everyItem<T>(list: (options: ListOptions) => Promise<Page<T>>, limit = 500): AsyncGenerator<T> {
  let cursor: string | undefined;
  do {
    const found = await list({ limit, ...(cursor === undefined ? {} : { cursor }) });
    yield* found.items;
    cursor = found.nextCursor ?? undefined;
  } while (cursor !== undefined);
}
