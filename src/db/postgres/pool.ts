import pg from 'pg';

const INT8_OID = 20;

/** BIGINT columns hold epoch milliseconds, coins and micro-units: all within 2^53. */
function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`BIGINT ${value} exceeds the safe integer range`);
  return n;
}

export interface PoolOptions {
  url: string;
  poolSize: number;
  /** Run in this schema (created if missing): lets tests isolate themselves in one database. */
  schema?: string;
}

export function createPool({ url, poolSize, schema }: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // A dead server must turn into a quick 503, not a request that hangs.
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
        oid === INT8_OID ? parseInt8 : (pg.types.getTypeParser as (o: number, f?: string) => unknown)(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // A client losing its connection emits 'error'. The pool listens only while the client is
  // idle; checked out (ours or Kysely's), an unheard 'error' would crash the process. The
  // failure still reaches the caller through its failed query, and the pool drops the client.
  pool.on('connect', (client) => client.on('error', () => {}));
  pool.on('error', () => {});
  return pool;
}
