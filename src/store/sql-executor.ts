/**
 * The least a procedure needs from a database connection that is already inside a
 * transaction. SQL is written with `?` placeholders; the PostgreSQL executor rewrites them
 * to `$n` (SQL already using `$n`, as Kysely compiles it, passes through unchanged).
 */
export interface SqlExecutor {
  query<Row = Record<string, unknown>>(sql: string, params: readonly unknown[]): Promise<Row[]>;
  /** `FOR UPDATE … SKIP LOCKED` exists (PostgreSQL); SQLite's single writer needs no row locks. */
  readonly skipLocked: boolean;
  /** `pg_notify` reaches other processes at commit (PostgreSQL). */
  readonly notify: boolean;
}

const pgTextCache = new Map<string, string>();

/** `?` → `$1, $2, …`. The hub's SQL never has a `?` inside a literal. */
export function toPgPlaceholders(sql: string): string {
  let text = pgTextCache.get(sql);
  if (text === undefined) {
    let n = 0;
    text = sql.replace(/\?/g, () => `$${++n}`);
    if (pgTextCache.size < 1000) pgTextCache.set(sql, text);
  }
  return text;
}
