 
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { Database } from './database.js';
import { page, type ListOptions, type Page } from './paging.js';
import type { Registry } from './procedure.js';
import type { Tables } from './schema.js';

export interface TableSpec<T extends keyof Tables, Rec> {
  table: T;
  /** The primary key, also the list's order and cursor. */
  key: keyof Tables[T] & string;
  order: 'asc' | 'desc';
  fromRow: (row: Tables[T]) => Rec;
}

/** Rows that refer to this one (`table.column`): a delete leaves it, answering `outcome`. */
export interface Reference<Outcome extends string> {
  table: keyof Tables;
  column: string;
  outcome: Outcome;
}

/** A narrowing of a list, e.g. the links of one offer. */
export type ListFilter<T extends keyof Tables> = (query: SelectQueryBuilder<Tables, T, Tables[T]>) => SelectQueryBuilder<Tables, T, Tables[T]>;

/**
 * What every table of records does, written once: insert, get by key, list a page, update,
 * delete unless referenced. A feature's data access builds on it and adds what is its own.
 */
export function crud<T extends keyof Tables, Rec>(db: Database<Registry>, spec: TableSpec<T, Rec>) {
  // A table named at run time is beyond Kysely's types; `spec` ties it to `Tables[T]`.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const k = db.kysely as unknown as Kysely<any>;
  const { fromRow } = spec;
  const table: string = spec.table;
  const key: string = spec.key;
  const toRecord = (row: unknown) => fromRow(row as Tables[T]);
  const get = (id: string): Promise<Rec | null> =>
    db.read(async () => {
      const row = await k.selectFrom(table).selectAll().where(key, '=', id as never).executeTakeFirst();
      return row === undefined ? null : toRecord(row);
    });
  return {
    get,
    async insert(values: Tables[T]): Promise<Rec> {
      const row = await db.executeOne(k.insertInto(table).values(values as never).returningAll().compile());
      if (row === undefined) throw new Error(`insert into ${table} returned no row`);
      return toRecord(row);
    },

    list(options: ListOptions, filter?: ListFilter<T>): Promise<Page<Rec>> {
      const all = (db.kysely.selectFrom(spec.table) as unknown as SelectQueryBuilder<Tables, T, Tables[T]>).selectAll() as SelectQueryBuilder<Tables, T, Tables[T]>;
      return db.read(() => page(filter === undefined ? all : filter(all), key, spec.order, options, toRecord));
    },

    /** Sets `values` (columns, or SQL expressions of them); null if there is no such row. */
    async update(id: string, values: Partial<{ [C in keyof Tables[T]]: unknown }>): Promise<Rec | null> {
      const row = await db.executeOne(
        k
          .updateTable(table)
          .set(values as never)
          .where(key, '=', id as never)
          .returningAll()
          .compile(),
      );
      return row === undefined ? null : toRecord(row);
    },

    /** Deletes the row, unless a row of `unlessReferencedBy` still refers to it: one statement, no race. */
    async remove<Outcome extends string = never>(id: string, unlessReferencedBy?: Reference<Outcome>): Promise<'deleted' | 'not_found' | Outcome> {
      let query = k.deleteFrom(table).where(key, '=', id as never);
      if (unlessReferencedBy !== undefined) {
        const { table: other, column } = unlessReferencedBy;
        query = query.where(sql<boolean>`NOT EXISTS (SELECT 1 FROM ${sql.table(other)} WHERE ${sql.ref(column)} = ${id})`);
      }
      if ((await db.executeOne(query.returning(key).compile())) !== undefined) return 'deleted';
      const exists = (await get(id)) !== null;
      if (!exists) return 'not_found';
      if (unlessReferencedBy === undefined) throw new Error(`${table} ${id} was neither deleted nor missing`);
      return unlessReferencedBy.outcome;
    },
  };
}
