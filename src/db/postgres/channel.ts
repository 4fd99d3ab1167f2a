import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { StoreUnavailableError } from '../../lib/errors.js';
import { GroupCommit, type Outcome } from '../../lib/group-commit.js';
import { eachInSavepoint, runGroup, type ArgsOf, type Call, type CommitObserver, type Registry, type ResultOf, type WriteChannel } from '../procedure.js';
import { mapPostgresError } from './errors.js';
import { postgresExecutor } from './executor.js';

export interface PostgresChannelOptions {
  /**
   * Concurrent calls (but the outbox's) share one transaction (`runGroup`). Off: every call is
   * a transaction of its own.
   */
  groupCommit?: boolean;
  /** Told of each group commit (with `groupCommit`). */
  onCommit?: CommitObserver;
}

/** A grouped transaction holds one connection and its row locks: bounded, like SQLite's. */
const GROUP_MAX_BATCH = 500;
/** Grouped transactions under way at once: one commits while the next runs. */
const GROUP_IN_FLIGHT = 2;

/**
 * With `groupCommit` (the hub's default), the requests' calls go through the same group commit
 * as SQLite's writer: what arrives while a batch commits shares the next transaction, so a burst
 * of postbacks costs a few statements and one commit instead of a transaction each. Without it,
 * every call is an ordinary transaction on a pooled connection. Either way any number of hub
 * processes can share the database.
 */
export class PostgresWriteChannel<R extends Registry> implements WriteChannel<R> {
  readonly groupsCalls: boolean;
  private closed = false;
  private closing: Promise<void> | null = null;
  /**
   * With `groupCommit`: the requests' calls. The outbox's (`lane: 'outbox'`) are batches already
   * (a claim of many deliveries, the attempts that finished together): each runs as its own
   * transaction on the outbox's connections, where `oneStatement` saves BEGIN and COMMIT.
   */
  private readonly group: GroupCommit<Call, unknown> | null;

  constructor(
    private readonly procedures: R,
    private readonly pool: pg.Pool,
    /** A procedure's `lane: 'outbox'`: the delivery worker's own few connections. */
    private readonly outboxPool: pg.Pool,
    private readonly options: PostgresChannelOptions = {},
  ) {
    this.groupsCalls = options.groupCommit === true;
    this.group = this.groupsCalls ? this.groupOn(pool) : null;
  }

  run<N extends keyof R & string>(name: N, args: ArgsOf<R[N]>): Promise<ResultOf<R[N]>> {
    const procedure = this.procedures[name];
    if (procedure === undefined) return Promise.reject(new Error(`no procedure "${name}"`));
    const outbox = procedure.lane === 'outbox';
    if (this.group !== null && !outbox) return this.group.add({ procedure, args }) as Promise<ResultOf<R[N]>>;
    const wrap = !(procedure.oneStatement?.(args) ?? false);
    return this.transaction(async (client) => (await procedure.run(postgresExecutor(client), args)) as ResultOf<R[N]>, outbox ? this.outboxPool : this.pool, wrap);
  }

  async probe(): Promise<void> {
    if (this.closed) throw closedError();
    try {
      await this.pool.query('SELECT 1');
    } catch (error) {
      throw mapPostgresError(error);
    }
  }

  /** Commits what was submitted, then ends the pools. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.group?.close();
      this.closed = true;
      await Promise.all([this.pool.end(), this.outboxPool.end()]);
    })();
    return this.closing;
  }

  private groupOn(pool: pg.Pool): GroupCommit<Call, unknown> {
    return new GroupCommit((calls) => this.commitGroup(calls, pool), { maxBatch: GROUP_MAX_BATCH, maxInFlight: GROUP_IN_FLIGHT, closedError });
  }

  /**
   * One transaction for the batch: the calls of a procedure that runs `together` as one, the
   * others each in a savepoint. Should a together run fail on anything but the store being
   * unavailable, the batch runs again, each call in its own savepoint, so that one call's
   * failure is its own (and the others' 200s are not held hostage by it).
   */
  private async commitGroup(calls: Call[], pool: pg.Pool): Promise<Array<Outcome<unknown>>> {
    const startedAt = performance.now();
    let committed = false;
    try {
      let outcomes: Array<Outcome<unknown>>;
      try {
        outcomes = await this.transaction((client) => runGroup((sql) => client.query(sql), postgresExecutor(client), calls), pool, true);
      } catch (error) {
        if (error instanceof StoreUnavailableError) throw error;
        outcomes = await this.transaction((client) => {
          const executor = postgresExecutor(client);
          return eachInSavepoint((sql) => client.query(sql), calls, (call) => call.procedure.run(executor, call.args));
        }, pool, true);
      }
      committed = true;
      return outcomes.map((outcome) => (outcome.ok ? outcome : { ok: false, error: mapPostgresError(outcome.error) }));
    } finally {
      this.options.onCommit?.(calls.length, (performance.now() - startedAt) / 1000, committed);
    }
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
