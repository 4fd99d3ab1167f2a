import type BetterSqlite3 from 'better-sqlite3';
import { sqliteInJsonList, sqliteRecordsFromJson, type SqlExecutor } from '../executor.js';

/**
 * The SqlExecutor of a connection in this thread (the writer's): statements prepared once and
 * kept, booleans bound as 0/1. Everything runs synchronously; the promises only fit the
 * interface the PostgreSQL executor shares. Notifications are collected in `notified`, for
 * the writer to hand over with its batch's commit.
 */
export function sqliteExecutor(db: BetterSqlite3.Database, notified: Set<string>): SqlExecutor {
  const statements = new Map<string, BetterSqlite3.Statement>();
  const rawStatements = new Map<string, BetterSqlite3.Statement>();
  const prepare = (sql: string, raw = false): BetterSqlite3.Statement => {
    const cache = raw ? rawStatements : statements;
    let statement = cache.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      if (raw) statement.raw(true);
      // Admin queries are built dynamically; keep the cache from growing without bound.
      if (cache.size >= 500) cache.clear();
      cache.set(sql, statement);
    }
    return statement;
  };
  const bind = (params: readonly unknown[]): unknown[] => params.map((p) => (typeof p === 'boolean' ? Number(p) : p));
  return {
    skipLocked: false,
    notifyingSelect: () => null,
    notify(channel) {
      notified.add(channel);
      return Promise.resolve();
    },
    inProcess: true,
    recordsFromJson: sqliteRecordsFromJson,
    inJsonList: sqliteInJsonList,
    jsonColumn: (expression) => expression,
    query<Row>(sql: string, params: readonly unknown[]): Promise<Row[]> {
      const statement = prepare(sql);
      if (statement.reader) return Promise.resolve(statement.all(...bind(params)) as Row[]);
      statement.run(...bind(params));
      return Promise.resolve([]);
    },
    values(sql: string, params: readonly unknown[]): Promise<unknown[][]> {
      return Promise.resolve(prepare(sql, true).all(...bind(params)) as unknown[][]);
    },
  };
}
