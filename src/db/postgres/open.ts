import { Kysely, PostgresDialect, type CompiledQuery } from 'kysely';
import pg from 'pg';
import { migrateToLatest } from '../migrate.js';
import { DELIVERIES_CHANNEL, recordEvent, recordEvents, recordRejection } from '../../features/conversions/record-event.js';
import type { Database } from '../schema.js';
import { postgresInJsonList, postgresRecordsFromJson, toPgPlaceholders, type SqlExecutor } from '../executor.js';
import { SqlStore, type WriteChannel } from '../../store/sql-store.js';
import { claimDueDeliveries, completesInOneStatement, completionRows, writeCompletions } from '../../features/delivery/deliveries-sql.js';
import { clickRow, recordClicks } from '../../features/clicks/clicks-sql.js';
import { reviewEvent } from '../../features/conversions/review-event.js';
import type { AttemptResult, ClaimOptions, ClaimedDelivery, ClickRecord, EventRecord, NewEvent, RecordEventCommand, RecordEventResult, ReviewDecision } from '../../store/store.js';
import { StoreUnavailableError } from '../../lib/errors.js';
import { mapPostgresError, openFailure } from './errors.js';
import { createPool, type PoolOptions } from './pool.js';

/**
 * Every write is an ordinary transaction on a pooled connection: PostgreSQL already commits
 * concurrent transactions together (its own group commit), and any number of hub processes
 * can share the database.
 */
class PostgresWriteChannel implements WriteChannel {
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    /**
     * The delivery worker's own few connections: under an inbound burst the shared pool's
     * queue would otherwise starve it, and deliveries would wait for the burst to end.
     */
    private readonly outboxPool: pg.Pool,
  ) {}

  execute(queries: readonly CompiledQuery[]): Promise<unknown[][]> {
    return this.transaction(async (client) => {
      const results: unknown[][] = [];
      for (const q of queries) results.push((await client.query(q.sql, q.parameters as unknown[])).rows);
      return results;
    });
  }

  recordEvent(command: RecordEventCommand): Promise<RecordEventResult> {
    return this.transaction((client) => recordEvent(preparedExecutor(client), command));
  }

  recordEvents(commands: readonly RecordEventCommand[]): Promise<RecordEventResult[]> {
    return this.transaction((client) => recordEvents(preparedExecutor(client), commands));
  }

  recordRejection(event: NewEvent, reason: string, detail: string): Promise<void> {
    return this.transaction((client) => recordRejection(preparedExecutor(client), event, reason, detail));
  }

  claimDueDeliveries(now: number, limit: number, leaseMs: number, options?: ClaimOptions): Promise<ClaimedDelivery[]> {
    // Each statement atomic on its own (SKIP LOCKED does the rest): no BEGIN/COMMIT round trips.
    return this.transaction((client) => claimDueDeliveries(preparedExecutor(client), now, limit, leaseMs, options), this.outboxPool, false);
  }

  completeAttempts(results: readonly AttemptResult[]): Promise<void> {
    const rows = completionRows(results);
    // The common batch is one statement, atomic on its own: no BEGIN/COMMIT round trips.
    return this.transaction((client) => writeCompletions(preparedExecutor(client), rows), this.outboxPool, !completesInOneStatement(rows));
  }

  reviewEvent(id: string, decision: ReviewDecision, now: number): Promise<EventRecord | 'not_found' | 'conflict'> {
    return this.transaction((client) => reviewEvent(preparedExecutor(client), id, decision, now));
  }

  recordClicks(clicks: readonly ClickRecord[]): Promise<void> {
    // One statement: atomic without BEGIN/COMMIT.
    return this.transaction((client) => recordClicks(preparedExecutor(client), clicks.map(clickRow)), this.pool, false);
  }

  async ping(): Promise<void> {
    if (this.closed) throw closedError();
    try {
      await this.pool.query('SELECT 1');
    } catch (error) {
      throw mapPostgresError(error);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([this.pool.end(), this.outboxPool.end()]);
  }

  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>, pool = this.pool, wrap = true): Promise<T> {
    if (this.closed) throw closedError();
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw mapPostgresError(error);
    }
    let broken = false;
    try {
      if (wrap) await client.query('BEGIN');
      const result = await work(client);
      if (wrap) await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        if (wrap) await client.query('ROLLBACK');
      } catch {
        broken = true; // the connection itself failed; do not return it to the pool
      }
      throw mapPostgresError(error);
    } finally {
      client.release(broken);
    }
  }
}

function closedError(): StoreUnavailableError {
  return new StoreUnavailableError('The store is shutting down; nothing was recorded, please retry');
}

// The recording procedure's statements are few and fixed: prepare each once per connection.
const statementNames = new Map<string, string>();
function preparedExecutor(client: pg.PoolClient): SqlExecutor {
  return {
    skipLocked: true,
    notify: true,
    inProcess: false,
    recordsFromJson: postgresRecordsFromJson,
    inJsonList: postgresInJsonList,
    jsonColumn: (expression) => `CAST(${expression} AS JSONB)`,
    async query<Row>(sql: string, params: readonly unknown[]): Promise<Row[]> {
      return (await client.query({ ...prepared(sql), values: params as unknown[] })).rows as Row[];
    },
    async values(sql: string, params: readonly unknown[]): Promise<unknown[][]> {
      return (await client.query<unknown[]>({ ...prepared(sql), values: params as unknown[], rowMode: 'array' })).rows;
    },
  };
}

function prepared(sql: string): { name: string; text: string } {
  const text = toPgPlaceholders(sql);
  let name = statementNames.get(text);
  if (name === undefined) statementNames.set(text, (name = `hub_${statementNames.size + 1}`));
  return { name, text };
}

/**
 * A dedicated connection LISTENing on the deliveries channel (a pooled one would be handed to
 * someone else). It reconnects after a failure; once listening (again) it tells the listener
 * at once, for what was queued while nobody listened.
 */
function listen(options: PoolOptions, listener: () => void): () => void {
  let stopped = false;
  let client: pg.Client | null = null;
  const connect = async () => {
    if (stopped) return;
    const next = new pg.Client({
      connectionString: options.url,
      ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
    });
    let schema: string | null = null;
    next.on('notification', (message) => {
      if (message.payload === schema) listener();
    });
    next.on('error', () => {
      next.removeAllListeners('notification');
      setTimeout(() => void connect(), 1000).unref();
    });
    try {
      await next.connect();
      schema = (await next.query<{ schema: string }>('SELECT current_schema() AS schema')).rows[0]?.schema ?? null;
      await next.query(`LISTEN ${DELIVERIES_CHANNEL}`);
      client = next;
      if (stopped) await next.end();
      else listener();
    } catch {
      await next.end().catch(() => {});
      setTimeout(() => void connect(), 1000).unref();
    }
  };
  void connect();
  return () => {
    stopped = true;
    void client?.end().catch(() => {});
  };
}

/** Connections are opened on demand: a process that runs no worker opens none of these. */
const OUTBOX_POOL_SIZE = 3;

export async function openPostgresStore(options: PoolOptions): Promise<SqlStore> {
  if (options.schema !== undefined) {
    const setup = createPool({ url: options.url, poolSize: 1 });
    try {
      await setup.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema.replace(/"/g, '""')}"`);
    } catch (error) {
      throw openFailure(options.url, error);
    } finally {
      await setup.end();
    }
  }
  const pool = createPool(options);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    const { rows } = await pool.query<{ schema: string }>('SELECT current_schema() AS schema');
    await migrateToLatest(db as Kysely<unknown>, 'postgres', rows[0]?.schema);
  } catch (error) {
    await pool.end();
    throw openFailure(options.url, error);
  }
  const writes = new PostgresWriteChannel(pool, createPool({ ...options, poolSize: OUTBOX_POOL_SIZE }));
  return new SqlStore({
    listen: (listener) => listen(options, listener),
    dialect: 'postgres',
    db,
    writes,
    mapError: mapPostgresError,
    // The pool is shared with the write channel, which ends it.
    closeReads: () => Promise.resolve(),
  });
}
