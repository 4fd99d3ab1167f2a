import type pg from 'pg';
import { StoreUnavailableError } from '../../lib/errors.js';
import type { ArgsOf, Registry, ResultOf, WriteChannel } from '../procedure.js';
import { mapPostgresError } from './errors.js';
import { postgresExecutor } from './executor.js';

/**
 * Every procedure is an ordinary transaction on a pooled connection: PostgreSQL already commits
 * concurrent transactions together (its own group commit), and any number of hub processes
 * can share the database.
 */
export class PostgresWriteChannel<R extends Registry> implements WriteChannel<R> {
  private closed = false;

  constructor(
    private readonly procedures: R,
    private readonly pool: pg.Pool,
    /** A procedure's `lane: 'outbox'`: the delivery worker's own few connections. */
    private readonly outboxPool: pg.Pool,
  ) {}

  run<N extends keyof R & string>(name: N, args: ArgsOf<R[N]>): Promise<ResultOf<R[N]>> {
    const procedure = this.procedures[name];
    if (procedure === undefined) return Promise.reject(new Error(`no procedure "${name}"`));
    const pool = procedure.lane === 'outbox' ? this.outboxPool : this.pool;
    const wrap = !(procedure.oneStatement?.(args) ?? false);
    return this.transaction(async (client) => (await procedure.run(postgresExecutor(client), args)) as ResultOf<R[N]>, pool, wrap);
  }

  async probe(): Promise<void> {
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

  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>, pool: pg.Pool, wrap: boolean): Promise<T> {
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
