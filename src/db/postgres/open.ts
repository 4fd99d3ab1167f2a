import { Kysely, PostgresDialect } from 'kysely';
import { Database } from '../database.js';
import { postgresInJsonList, toPgPlaceholders } from '../executor.js';
import { migrateToLatest } from '../migrate.js';
import { builtins, type Registry } from '../procedure.js';
import type { Tables } from '../schema.js';
import { PostgresWriteChannel, type PostgresChannelOptions } from './channel.js';
import { mapPostgresError, openFailure } from './errors.js';
import { listen } from './listen.js';
import { createPool, type PoolOptions } from './pool.js';

/** Connections are opened on demand: a process that runs no worker opens none of these. */
const OUTBOX_POOL_SIZE = 3;

/** Opens the database (creating the schema named in `options`, for tests) and applies pending migrations. */
export async function openPostgres<R extends Registry>(options: PoolOptions, procedures: R, channelOptions: PostgresChannelOptions = {}): Promise<Database<R>> {
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
  const kysely = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  try {
    const { rows } = await pool.query<{ schema: string }>('SELECT current_schema() AS schema');
    await migrateToLatest(kysely as Kysely<unknown>, 'postgres', rows[0]?.schema);
  } catch (error) {
    await pool.end();
    throw openFailure(options.url, error);
  }
  const channel = new PostgresWriteChannel({ ...procedures, ...builtins }, pool, createPool({ ...options, poolSize: OUTBOX_POOL_SIZE }), channelOptions);
  return new Database<R>({
    capabilities: { inJsonList: postgresInJsonList, sharedByProcesses: true, settled: (tx) => `${tx} < pg_snapshot_xmin(pg_current_snapshot())` },
    kysely,
    channel,
    mapError: mapPostgresError,
    placeholders: toPgPlaceholders,
    listen: (name, listener) => listen(options, name, listener),
    async notify(name) {
      try {
        await pool.query('SELECT pg_notify($1, current_schema())', [name]);
      } catch (error) {
        throw mapPostgresError(error);
      }
    },
    // The pool is shared with the write channel, which ends it.
    closeReads: () => Promise.resolve(),
  });
}
