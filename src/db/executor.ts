/**
 * The least a procedure needs from a database connection that is already inside a
 * transaction. SQL is written with `?` placeholders; the PostgreSQL executor rewrites them
 * to `$n` (SQL already using `$n`, as Kysely compiles it, passes through unchanged).
 */
export interface SqlExecutor {
  query<Row = Record<string, unknown>>(sql: string, params: readonly unknown[]): Promise<Row[]>;
  /**
   * Rows as arrays of their values, in the select list's order. For hot reads whose rows cross
   * a thread: better-sqlite3 builds a row object property by property, and an array of values
   * is the cheaper JSON.
   */
  values(sql: string, params: readonly unknown[]): Promise<unknown[][]>;
  /** `FOR UPDATE … SKIP LOCKED` exists (PostgreSQL); SQLite's single writer needs no row locks. */
  readonly skipLocked: boolean;
  /**
   * Tells the channel's listeners, in every process sharing the database, once this
   * transaction has committed (nothing is told of a transaction rolled back).
   */
  notify(channel: string): Promise<void>;
  /**
   * A one-row `SELECT … FROM …` (a WHERE may follow) that notifies `channel` as `notify` does,
   * for a statement to carry its notification rather than cost another round trip; null where
   * SQL cannot notify (SQLite).
   */
  notifyingSelect(channel: string): string | null;
  /**
   * A statement costs no round trip (SQLite runs in this thread): a batch is cheapest as one
   * prepared statement run per row. Elsewhere one statement for the batch saves round trips.
   */
  readonly inProcess: boolean;
  /**
   * A table `v` with these columns, read from one `?` parameter holding a JSON array of
   * objects: a batch of any size in one statement whose text never changes.
   */
  recordsFromJson(columns: JsonColumns): string;
  /** A JSON text column as the dialect stores JSON (JSONB on PostgreSQL). */
  jsonColumn(expression: string): string;
  /**
   * `column` is one of the strings in one `?` parameter holding a JSON array, as a predicate
   * that looks each up by index (a join with a JSON table let PostgreSQL hash-join over a scan
   * of the whole table).
   */
  inJsonList(column: string): string;
}

export type JsonColumns = ReadonlyArray<readonly [name: string, type: 'text' | 'integer' | 'bigint']>;

/** Rows of values in `columns`' order as the JSON array of objects that `recordsFromJson` reads. */
export function jsonRecords(columns: JsonColumns, rows: ReadonlyArray<readonly unknown[]>): string {
  return JSON.stringify(rows.map((row) => Object.fromEntries(columns.map(([name], i) => [name, row[i]]))));
}

export function sqliteRecordsFromJson(columns: JsonColumns): string {
  return `(SELECT ${columns.map(([name]) => `value ->> '${name}' AS ${name}`).join(', ')} FROM json_each(?)) AS v`;
}

export function sqliteInJsonList(column: string): string {
  return `${column} IN (SELECT value FROM json_each(?))`;
}

export function postgresInJsonList(column: string): string {
  return `${column} = ANY(ARRAY(SELECT json_array_elements_text(CAST(? AS JSON))))`;
}

export function postgresRecordsFromJson(columns: JsonColumns): string {
  return `json_to_recordset(CAST(? AS JSON)) AS v(${columns.map(([name, type]) => `${name} ${type}`).join(', ')})`;
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
